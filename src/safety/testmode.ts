/**
 * Test mode: while it is on, every mutation is a dry run. It is asked for,
 * authorised, resolved and confirmed as always — then nothing reaches the
 * provider: the reply says what would have been done and the audit records
 * `dry_run`. The switch lives in the store, so every replica and the CLI
 * agree. This module is the whole of it; the mutation path calls it once,
 * at the top of its execution (`if (await testmode.isOn()) return …`).
 */
import type { Logger } from 'pino';
import type { Clock } from '../../providers/types.ts';
import type { PreparedMutation } from '../dispatch/dispatcher.ts';
import type { OperationPlan } from '../dispatch/outcome.ts';
import type { BotFlags } from '../store/bot-flags.ts';
import type { Attempt } from './attempt.ts';
import type { Gatekeeper } from './gatekeeper.ts';

const FLAG = 'testmode';

/** A mutation that test mode kept from its provider. */
export interface DryRunOutcome {
  readonly kind: 'dry-run';
  readonly plan: OperationPlan;
}

export interface TestModeState {
  readonly on: boolean;
  /** Who last switched it, and when. */
  readonly by?: string;
  readonly at?: number;
}

export interface TestModeDeps {
  readonly flags: BotFlags;
  readonly gatekeeper: Gatekeeper;
  readonly clock: Clock;
  readonly log: Logger;
}

export class TestMode {
  private readonly deps: TestModeDeps;

  constructor(deps: TestModeDeps) {
    this.deps = deps;
  }

  /** Whether mutations are dry runs now. If the store cannot say, they are: doubt never sends. */
  async isOn(): Promise<boolean> {
    try {
      return (await this.state()).on;
    } catch (error) {
      this.deps.log.error({ err: error }, 'could not read test mode; treating it as on');
      return true;
    }
  }

  async state(): Promise<TestModeState> {
    const flag = await this.deps.flags.get(FLAG);
    if (!flag) return { on: false };
    return { on: flag.value === 'on', ...(flag.setBy ? { by: flag.setBy } : {}), at: flag.setAt };
  }

  /** Switches it; false when it already was so. */
  set(on: boolean, by: string): Promise<boolean> {
    return this.deps.flags.set(FLAG, on ? 'on' : 'off', by, this.deps.clock.now());
  }

  /** The dry run of a confirmed mutation: recorded as `dry_run`, nothing sent. */
  async dryRun(prepared: PreparedMutation, attempt: Attempt): Promise<DryRunOutcome> {
    const { plan } = prepared;
    this.deps.log.info(
      { verb: plan.verb, provider: plan.provider.id, target: plan.target },
      'dry run: test mode is on',
    );
    await this.deps.gatekeeper.record(
      { ...attempt, plan },
      'dry_run',
      `test mode: nothing was sent to ${plan.provider.id}`,
    );
    return { kind: 'dry-run', plan };
  }
}
