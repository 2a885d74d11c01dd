/**
 * The terminal's confirmation: the question on stderr (stdout is the
 * answer's), "yes" typed on a terminal — or `--yes` for scripts. Without a
 * terminal and without `--yes` nothing runs; Ctrl-C at the question is a no.
 */
import { createInterface } from 'node:readline/promises';
import type { Readable, Writable } from 'node:stream';

export type Confirmation = 'confirmed' | 'declined' | 'interrupted' | 'no-terminal';

export async function askToConfirm(
  question: string,
  io: {
    readonly stdin?: Readable & { readonly isTTY?: boolean };
    readonly stderr: Writable;
    readonly signal?: AbortSignal;
  },
): Promise<Confirmation> {
  if (!io.stdin?.isTTY) return 'no-terminal';
  if (io.signal?.aborted) return 'interrupted';
  const reader = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  try {
    const answer = await reader.question(
      `${question}\nType yes to go ahead: `,
      io.signal ? { signal: io.signal } : {},
    );
    return /^\s*y(es)?\s*$/i.test(answer) ? 'confirmed' : 'declined';
  } catch {
    // Interrupted, or stdin closed before an answer.
    if (io.signal?.aborted) return 'interrupted';
    return 'declined';
  } finally {
    reader.close();
  }
}
