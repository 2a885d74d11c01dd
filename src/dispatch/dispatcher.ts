/**
 * The dispatcher: a parsed command in, an Outcome out. It picks the
 * providers in scope, checks what they declare they can do, fans reads out
 * concurrently with a deadline each, resolves single targets, and runs
 * mutations through one path (plan → request → follow), reporting to an
 * observer on the way. It never throws: failures become ErrorOutcomes.
 */
import type { Logger } from 'pino';
import type { ConnectedProvider } from '../../providers/registry.ts';
import type { CapabilityOption, OperationRef } from '../../providers/types.ts';
import type { Settings } from '../config/settings.ts';
import type { FixedProvider } from '../entry-points.ts';
import { CloudmasterError, ErrorCode, isCloudmasterError, mayHaveStarted } from '../errors.ts';
import {
  type Command,
  type CommandOf,
  isMutatingVerb,
  type MutatingVerb,
  PROVIDER_VERBS,
  type ProviderVerb,
} from '../grammar/command.ts';
import type { ProviderCallMeter } from '../ops/metrics.ts';
import { type CallOptions, callProvider, readProvider } from './call.ts';
import { type FollowOptions, type FollowResult, followOperation } from './follow.ts';
import { helpOutcome } from './help.ts';
import { lookup, type MaySee } from './lookup.ts';
import { checkAllowed, checkParams, usedOptions } from './mutation-options.ts';
import type {
  ListOutcome,
  ListSection,
  OperationObserver,
  OperationOutcome,
  OperationPlan,
  Outcome,
  ProviderReport,
  ProvidersOutcome,
  ResourceOutcome,
} from './outcome.ts';
import { capabilityOf, describeAccount, type ProviderSet, providerRef, supports } from './provider-set.ts';

export { providerRef };

import { ReadCache } from './read-cache.ts';
import { type MutationCommand, sendMutation } from './request.ts';

export interface DispatchContext {
  /** Set by /dostat and /vustat. */
  readonly fixed?: FixedProvider;
  /** Aborted at shutdown. */
  readonly signal?: AbortSignal;
  /** What the caller may see: lookups leave the rest out of ambiguity lists and near names. */
  readonly maySee?: MaySee;
}

export interface DispatcherDeps {
  readonly providers: ProviderSet;
  readonly settings: Settings;
  readonly log: Logger;
  /** Shared list/status answers; one per bot process. */
  readonly cache?: ReadCache;
  /** Told of every provider call (the bot's metrics). */
  readonly meter?: ProviderCallMeter;
}

/** A mutation resolved to one provider and target, not yet sent. */
export interface PreparedMutation {
  readonly command: MutationCommand;
  readonly entry: ConnectedProvider;
  readonly plan: OperationPlan;
}

export class Dispatcher {
  readonly providers: ProviderSet;
  /** Told of every provider call; the job runner's own calls report here too. */
  readonly meter: ProviderCallMeter | undefined;
  private readonly settings: Settings;
  private readonly log: Logger;
  private readonly cache: ReadCache;

  constructor(deps: DispatcherDeps) {
    this.providers = deps.providers;
    this.settings = deps.settings;
    this.log = deps.log;
    this.cache = deps.cache ?? new ReadCache();
    this.meter = deps.meter;
  }

  /** Reads, help, and mutations straight through (prepare, then execute: no confirmation here). */
  async run(command: Command, ctx: DispatchContext = {}, observer: OperationObserver = {}): Promise<Outcome> {
    try {
      switch (command.verb) {
        case 'help':
          return helpOutcome(this.providers, command, ctx.fixed);
        case 'providers':
          return await this.report(command, ctx);
        case 'list':
          return await this.list(command, ctx);
        case 'status':
          return await this.status(command, ctx);
        case 'jobs':
        case 'job':
        case 'audit':
        case 'whoami':
        case 'can-i':
        case 'webhooks':
        case 'outages':
        case 'check':
        case 'resolve':
        case 'acknowledge':
        case 'ticket':
        case 'health':
        case 'testmode':
          // Answered by the safety layer and the outage watch, which hold the store, the policy and Slack.
          throw new Error(`${command.verb} is not the dispatcher's to answer`);
        default: {
          const prepared = await this.prepare(command, ctx);
          await observer.planned?.(prepared.plan);
          return await this.execute(prepared, ctx, observer);
        }
      }
    } catch (error) {
      return { kind: 'error', error, verb: command.verb };
    }
  }

  private callOptions(command: Command, ctx: DispatchContext): CallOptions {
    return {
      fresh: command.fresh,
      log: this.log,
      cache: this.cache,
      meter: this.meter,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    };
  }

  /** The providers a command may touch: the fixed type, narrowed by `on PROVIDER`. */
  private scope(command: Command, ctx: DispatchContext): ConnectedProvider[] {
    let entries: ConnectedProvider[] = [...this.providers.entries];
    const { fixed } = ctx;
    if (fixed) {
      entries = this.providers.ofType(fixed.type);
      if (entries.length === 0) {
        throw new CloudmasterError(ErrorCode.NoProviders, `No ${fixed.label} account is configured.`, {
          hint: `To use it, ${fixed.setup}.`,
        });
      }
    }
    if (command.provider !== undefined) {
      const chosen = this.providers.resolve(command.provider);
      if (fixed && chosen.some((entry) => entry.account.module.type !== fixed.type)) {
        throw new CloudmasterError(ErrorCode.UnknownProvider, `This command works on ${fixed.label} only.`, {
          hint: `Use /cloudmaster for ${chosen.map(describeAccount).join(', ')}.`,
          candidates: entries.map(describeAccount),
        });
      }
      entries = chosen;
    }
    if (entries.length === 0) {
      throw new CloudmasterError(ErrorCode.NoProviders, 'No providers are configured.', {
        hint: 'Add them to cloudmaster.yml or set their environment variables (docs/configuration.md); CLOUDMASTER_DEMO=1 enables the simulated cloud.',
      });
    }
    return entries;
  }

  /** The providers in scope that can run the verb (and option); a clear error if none can. */
  private able(
    scope: readonly ConnectedProvider[],
    verb: ProviderVerb,
    option?: { readonly name: CapabilityOption; readonly shown: string },
  ): ConnectedProvider[] {
    const able = scope.filter((entry) => supports(entry, verb, option?.name));
    if (able.length > 0) return able;
    const elsewhere = this.providers.supporting(verb, option?.name).map(describeAccount);
    const what = option ? `${verb} with ${option.shown}` : verb;
    const subject =
      scope.length === 1 && scope[0] ? describeAccount(scope[0]) : 'None of the providers in scope';
    throw new CloudmasterError(ErrorCode.Unsupported, `${subject} cannot ${what}.`, {
      hint: elsewhere.length > 0 ? 'These providers can:' : 'No configured provider can.',
      candidates: elsewhere,
    });
  }

  private async report(command: CommandOf<'providers'>, ctx: DispatchContext): Promise<ProvidersOutcome> {
    // With nothing configured the reply itself says so; `on PROVIDER` narrows as everywhere.
    const entries =
      command.provider === undefined && !ctx.fixed ? this.providers.entries : this.scope(command, ctx);
    const reports = await Promise.all(
      entries.map(async (entry): Promise<ProviderReport> => {
        const verbs = PROVIDER_VERBS.filter((verb) => capabilityOf(entry, verb));
        const started = performance.now();
        try {
          await callProvider(entry, { fresh: true, log: this.log, meter: this.meter }, (provider, c) =>
            provider.ping
              ? provider.ping(c)
              : (provider.list?.({}, c).then(() => undefined) ?? Promise.resolve()),
          );
          return {
            provider: providerRef(entry),
            verbs,
            reachable: true,
            latencyMs: performance.now() - started,
          };
        } catch (error) {
          return { provider: providerRef(entry), verbs, reachable: false, error };
        }
      }),
    );
    return { kind: 'providers', reports };
  }

  private async list(command: CommandOf<'list'>, ctx: DispatchContext): Promise<ListOutcome> {
    const scope = this.scope(command, ctx);
    let able = this.able(scope, 'list');
    const skipped: ListOutcome['skipped'][number][] = [];
    // A region or stack filter only means something to providers that have them.
    for (const [option, value] of [
      ['region', command.region],
      ['stack', command.stack],
    ] as const) {
      if (value === undefined) continue;
      const kept = able.filter((entry) => supports(entry, 'list', option));
      for (const entry of able) {
        if (!kept.includes(entry)) skipped.push({ provider: providerRef(entry), reason: `no ${option}s` });
      }
      if (kept.length === 0) this.able(able, 'list', { name: option, shown: `-${option[0]} ${value}` });
      able = kept;
    }
    const query = {
      ...(command.region === undefined ? {} : { region: command.region }),
      ...(command.stack === undefined ? {} : { stack: command.stack }),
      ...(command.filter === undefined ? {} : { filter: command.filter }),
    };
    const sections = await Promise.all(
      able.map(async (entry): Promise<ListSection> => {
        const started = performance.now();
        try {
          const answer = await readProvider(
            entry,
            this.callOptions(command, ctx),
            `list:${JSON.stringify(query)}`,
            (provider, c) => {
              if (!provider.list) throw new Error('list is declared but not implemented');
              return provider.list(query, c);
            },
          );
          return {
            provider: providerRef(entry),
            listing: answer.value,
            elapsedMs: performance.now() - started,
            ...(answer.ageMs === undefined ? {} : { cachedAgeMs: answer.ageMs }),
          };
        } catch (error) {
          this.logProviderError(entry, 'list', error);
          return { provider: providerRef(entry), error, elapsedMs: performance.now() - started };
        }
      }),
    );
    return { kind: 'listing', query, sections, skipped };
  }

  private async status(command: CommandOf<'status'>, ctx: DispatchContext): Promise<ResourceOutcome> {
    const scope = this.able(this.scope(command, ctx), 'status');
    const found = await lookup(
      {
        name: command.name,
        verb: 'status',
        // An environment is a stack's: `-e` narrows to stacks, even after a bare name.
        ...(command.stackOnly || command.environment !== undefined ? { kind: 'stack' as const } : {}),
        ...(command.environment === undefined ? {} : { environment: command.environment }),
        scope,
        ...(ctx.maySee ? { maySee: ctx.maySee } : {}),
      },
      this.callOptions(command, ctx),
    );
    return {
      kind: 'resource',
      resource: found.resource,
      provider: providerRef(found.entry),
      unanswered: found.unanswered.map(({ entry, error }) => ({ provider: providerRef(entry), error })),
      ...(found.cachedAgeMs === undefined ? {} : { cachedAgeMs: found.cachedAgeMs }),
    };
  }

  private logProviderError(entry: ConnectedProvider, verb: ProviderVerb, error: unknown): void {
    const level = isCloudmasterError(error) ? 'warn' : 'error';
    this.log[level]({ err: error, provider: entry.account.id, verb }, 'provider call failed');
  }

  /**
   * Resolves a mutation's provider and target (a fresh lookup) without
   * sending anything: what a confirmation shows. Throws CloudmasterErrors.
   */
  async prepare(command: MutationCommand, ctx: DispatchContext = {}): Promise<PreparedMutation> {
    if (!isMutatingVerb(command.verb)) throw new Error(`not a mutating verb: ${command.verb}`);
    const verb = command.verb;
    const used = usedOptions(command);
    let scope = this.able(this.scope(command, ctx), verb);
    for (const option of used) scope = this.able(scope, verb, option);
    const options: Record<string, string | boolean> = Object.fromEntries(used.map((o) => [o.name, o.value]));

    if (command.verb === 'create') {
      if (scope.length > 1) {
        throw new CloudmasterError(
          ErrorCode.Ambiguous,
          `"${command.provider}" means ${scope.length} providers.`,
          {
            hint: 'Name one of them with `on PROVIDER`:',
            candidates: scope.map(describeAccount),
          },
        );
      }
      const entry = scope[0] as ConnectedProvider;
      checkParams(entry, 'create', command.params);
      checkAllowed(entry, command.params);
      return {
        command,
        entry,
        plan: {
          verb,
          provider: providerRef(entry),
          target: { kind: 'machine', name: command.name },
          options: { ...options, ...command.params },
        },
      };
    }
    const stackVerb = command.verb === 'deploy' || command.verb === 'cancel';
    const found = await lookup(
      {
        name: stackVerb ? command.stack : command.name,
        verb,
        kind: stackVerb ? 'stack' : 'machine',
        ...(stackVerb && command.environment !== undefined ? { environment: command.environment } : {}),
        scope,
        ...(ctx.maySee ? { maySee: ctx.maySee } : {}),
      },
      { ...this.callOptions(command, ctx), fresh: true },
    );
    const { resource } = found;
    return {
      command,
      entry: found.entry,
      plan: {
        verb,
        provider: providerRef(found.entry),
        target: { kind: resource.kind, name: resource.name, id: resource.id },
        resource,
        options,
      },
    };
  }

  /**
   * Sends a prepared mutation to its provider: the one call that changes
   * something. Throws what the provider answered; a timeout says the
   * operation may or may not have started.
   */
  async send(prepared: PreparedMutation, ctx: DispatchContext = {}): Promise<OperationRef> {
    const { command, entry, plan } = prepared;
    const call = this.callOptions(command, ctx);
    try {
      const ref = await callProvider(entry, call, (provider, c) => sendMutation(provider, command, plan, c));
      this.log.info(
        { provider: entry.account.id, verb: command.verb, target: plan.target, operation: ref.operationId },
        'operation accepted',
      );
      return ref;
    } catch (error) {
      this.logProviderError(entry, command.verb, error);
      if (mayHaveStarted(error)) {
        // We cannot know whether the request took effect: say so rather than invite a blind retry.
        throw new CloudmasterError((error as CloudmasterError).code, (error as Error).message, {
          provider: entry.account.id,
          hint: `The ${command.verb} may or may not have started. Check with \`status ${plan.target.name} on ${entry.account.id}\` before trying again.`,
          cause: error,
        });
      }
      throw error;
    } finally {
      // Even a refused or timed-out request may have changed something.
      this.cache.invalidate(entry.account.id);
    }
  }

  /** Follows an accepted operation (also one accepted before a restart) to its end. Never throws. */
  async follow(
    ref: OperationRef,
    options: Omit<FollowOptions, 'call' | 'pollIntervalMs'> & { readonly signal?: AbortSignal },
  ): Promise<FollowResult> {
    const entry = this.providers.byId(ref.provider);
    if (!entry) {
      return {
        end: 'failed',
        error: new CloudmasterError(
          ErrorCode.UnknownProvider,
          `Provider ${ref.provider} is no longer configured, so ${ref.target.name} cannot be followed.`,
          { hint: `Check it at the provider, or put ${ref.provider} back into cloudmaster.yml.` },
        ),
      };
    }
    const { signal, ...rest } = options;
    const result = await followOperation(entry, ref, {
      ...rest,
      call: {
        fresh: true,
        log: this.log,
        cache: this.cache,
        meter: this.meter,
        ...(signal ? { signal } : {}),
      },
      pollIntervalMs: entry.account.pollIntervalMs,
    });
    // Reads made while it ran saw intermediate states.
    this.cache.invalidate(entry.account.id);
    if (result.end === 'interrupted') {
      this.log.warn(
        { provider: entry.account.id, operation: ref },
        'shutting down while an operation was being followed',
      );
    }
    return result;
  }

  /** Time limit of a verb: settings.timeLimits, else settings.operationTimeout. */
  timeLimit(verb: MutatingVerb): number {
    return this.settings.timeLimits[verb] ?? this.settings.operationTimeout;
  }

  /** Sends a prepared mutation and follows it to its end, here and now (no job). Never throws. */
  async execute(
    prepared: PreparedMutation,
    ctx: DispatchContext = {},
    observer: OperationObserver = {},
  ): Promise<OperationOutcome> {
    const { plan } = prepared;
    const started = performance.now();
    const elapsed = (): number => performance.now() - started;
    let ref: OperationRef;
    try {
      ref = await this.send(prepared, ctx);
    } catch (error) {
      const end = mayHaveStarted(error) ? 'unknown' : 'failed';
      return { kind: 'operation', plan, end, error, elapsedMs: elapsed() };
    }
    await observer.accepted?.(plan, ref);
    const result = await this.follow(ref, {
      deadlineAt: Date.now() + this.timeLimit(plan.verb),
      onProgress: (progress) => observer.progressed?.(plan, progress),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    });
    return {
      kind: 'operation',
      plan,
      ref,
      end: result.end,
      ...(result.last ? { last: result.last } : {}),
      ...(result.error === undefined ? {} : { error: result.error }),
      elapsedMs: elapsed(),
    };
  }
}
