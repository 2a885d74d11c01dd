/**
 * Timers the safety layer needs: expire prompts nobody clicked (and update
 * their messages), and once a day apply the audit retention and drop old
 * idempotency keys. Each replica runs them; the store hands every expired
 * request to one of them only.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../providers/types.ts';
import type { Settings } from '../config/settings.ts';
import type { Store } from '../store/store.ts';
import type { Gatekeeper, Pending } from './gatekeeper.ts';

const DAY = 86_400_000;

export interface HousekeepingDeps {
  readonly gatekeeper: Gatekeeper;
  readonly store: Store;
  readonly settings: Settings;
  readonly clock: Clock;
  readonly log: Logger;
  /** Shows an expired prompt as expired. */
  readonly onExpired: (request: Pending) => Promise<void>;
}

/** Often enough that an expired prompt says so soon after; never busier than ten times a second. */
export function sweepInterval(confirmTimeoutMs: number): number {
  return Math.max(100, Math.min(15_000, Math.floor(confirmTimeoutMs / 4)));
}

/** PostgreSQL's insufficient_privilege: the bot's role was not granted this. */
function isPermissionDenied(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === '42501';
}

export function startHousekeeping(deps: HousekeepingDeps): { stop(): void } {
  let sweeping = false;
  const sweep = async (): Promise<void> => {
    if (sweeping) return;
    sweeping = true;
    try {
      for (const request of await deps.gatekeeper.sweep()) {
        await deps.onExpired(request).catch((error: unknown) => {
          deps.log.warn({ err: error, request: request.id }, 'could not show a prompt as expired');
        });
      }
    } catch (error) {
      deps.log.error({ err: error }, 'could not expire pending requests');
    } finally {
      sweeping = false;
    }
  };
  let retentionElsewhere = false;
  const pruneAudit = async (now: number): Promise<number> => {
    if (retentionElsewhere) return 0;
    try {
      return await deps.store.audit.prune(now, deps.settings.auditRetention);
    } catch (error) {
      if (!isPermissionDenied(error)) throw error;
      // The operators gave retention to a role of its own (docs/safety.md): not ours to do.
      retentionElsewhere = true;
      deps.log.info('audit retention is left to another database role: this one may not move the cutoff');
      return 0;
    }
  };
  const prune = async (): Promise<void> => {
    try {
      const now = deps.clock.now();
      const removed = await pruneAudit(now);
      const keys = await deps.store.keys.prune(now);
      if (removed > 0 || keys > 0) deps.log.info({ auditRecords: removed, keys }, 'retention applied');
    } catch (error) {
      deps.log.error({ err: error }, 'could not apply the audit retention');
    }
  };
  const sweeper = setInterval(() => void sweep(), sweepInterval(deps.settings.confirmTimeout));
  const pruner = setInterval(() => void prune(), DAY);
  sweeper.unref();
  pruner.unref();
  void prune();
  return {
    stop() {
      clearInterval(sweeper);
      clearInterval(pruner);
    },
  };
}
