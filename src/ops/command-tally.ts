/**
 * One command as the metrics count it: its surface, its verb once parsed,
 * what it came to, and how long until its first reply reached Slack.
 */
import type { Replier } from '../conversation/replier.ts';
import type { BotMetrics, CommandOutcome } from './metrics.ts';

/** An answer's or admission's kind ("listing", "denied", "failed"…) as a command outcome. */
export function commandOutcome(kind: string): CommandOutcome {
  switch (kind) {
    case 'usage':
      return 'usage';
    case 'denied':
      return 'denied';
    case 'error':
    case 'failed':
      return 'error';
    default:
      return 'ok';
  }
}

export class CommandTally {
  /** The grammar's verb; `unknown` until parsed (and when it is not a verb). */
  verb = 'unknown';
  /** An error unless something better is known by the end (a throw on the way, say). */
  outcome: CommandOutcome = 'error';
  private readonly surface: string;
  private readonly metrics: BotMetrics | undefined;
  private readonly started = performance.now();
  private replied = false;

  constructor(surface: string, metrics: BotMetrics | undefined) {
    this.surface = surface;
    this.metrics = metrics;
  }

  answered(kind: string): void {
    this.outcome = commandOutcome(kind);
  }

  /** The same replier, timing the first reply delivered. */
  timing(replier: Replier): Replier {
    if (!this.metrics) return replier;
    const first = <T>(sent: Promise<T>): Promise<T> =>
      sent.then((value) => {
        if (!this.replied) {
          this.replied = true;
          this.metrics?.firstReply(this.surface, (performance.now() - this.started) / 1000);
        }
        return value;
      });
    return {
      private: (message) => first(replier.private(message)),
      ephemeral: (message) => first(replier.ephemeral(message)),
      public: (message) => first(replier.public(message)),
      open: (message) => first(replier.open(message)),
    };
  }

  /** Counted once, when the command's handling ends. */
  end(): void {
    this.metrics?.commandAnswered(this.surface, this.verb, this.outcome);
  }
}
