/**
 * The one place that turns any error into words for a user. Known errors
 * carry their own message, hint and candidates; anything else becomes a
 * short apology with a reference that finds the details in the log —
 * never a stack trace.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, isCloudmasterError } from '../errors.ts';

export interface DescribedError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly hint?: string;
  readonly candidates: readonly string[];
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/** A short reference that finds a log line: said to the user instead of the details. */
export function logReference(): string {
  return randomBytes(4).toString('hex');
}

export function describeError(error: unknown, log?: Logger): DescribedError {
  if (isCloudmasterError(error)) {
    return {
      code: error.code,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      candidates: error.candidates,
    };
  }
  if (isAbort(error)) {
    return {
      code: ErrorCode.ShuttingDown,
      message: 'The request was stopped before it finished (cloudmaster is restarting).',
      hint: 'Try again in a moment.',
      candidates: [],
    };
  }
  const reference = logReference();
  log?.error({ err: error, reference }, 'unexpected error');
  return {
    code: ErrorCode.Internal,
    message: `Something went wrong inside cloudmaster (reference ${reference}).`,
    hint: 'Nothing was changed by this reply. The details are in the bot’s log under that reference.',
    candidates: [],
  };
}

/** Candidates a one-line hint shows before "and N more". */
const CANDIDATES_IN_A_LINE = 10;

/**
 * The hint with the candidates folded in, for places that show a problem in
 * one sentence (an operation's outcome) rather than as a list: "Known sizes:
 * a, b, c." A hint that announces a list no one has ends in "none".
 */
export function hintWithCandidates(problem: DescribedError): string | undefined {
  const { hint, candidates } = problem;
  const announces = hint?.endsWith(':') ?? false;
  if (candidates.length === 0) return announces ? `${hint} none.` : hint;
  const more = candidates.length - CANDIDATES_IN_A_LINE;
  const list = `${candidates.slice(0, CANDIDATES_IN_A_LINE).join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
  if (hint === undefined) return `${list}.`;
  return announces ? `${hint} ${list}.` : `${hint} (${list})`;
}
