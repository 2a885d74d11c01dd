/** `--json` for the outage watch's answers and `health`: the facts, errors described as Slack shows them. */
import type { WatchAnswer } from '../safety/watch-answers.ts';

export function watchJson(answer: WatchAnswer, error: (error: unknown) => Record<string, unknown>): unknown {
  switch (answer.kind) {
    case 'outages':
      return {
        kind: 'outages',
        watched: answer.watched,
        incidents: answer.incidents.map(({ state, notice }) => ({
          ref: state.ref,
          source: state.platform.name,
          platform: state.platform.label,
          ...state.incident,
          ...(state.acknowledged ? { acknowledged: state.acknowledged } : {}),
          ...(state.ticket ? { ticket: state.ticket } : {}),
          ...(notice ? { notice } : {}),
        })),
      };
    case 'check':
      return {
        kind: 'check',
        sources: answer.results.map(({ name, label, reading }) => ({ name, label, ...reading })),
      };
    case 'resolved':
      return answer;
    case 'acknowledged':
      return {
        kind: 'acknowledged',
        ref: answer.found.ref,
        source: answer.found.source,
        key: answer.found.incident.key,
        first: answer.won,
        acknowledged: answer.acknowledged,
      };
    case 'ticket':
      return {
        kind: 'ticket',
        ref: answer.found.ref,
        source: answer.found.source,
        key: answer.found.incident.key,
        ...answer.opened,
      };
    case 'health': {
      const { report } = answer;
      return {
        kind: 'health',
        slack: report.slack ?? { state: 'not connected: the CLI does not connect to Slack' },
        store: {
          kind: report.store.kind,
          location: report.store.location,
          ok: report.store.error === undefined,
          ...(report.store.pingMs === undefined ? {} : { pingMs: Math.round(report.store.pingMs) }),
          ...(report.store.error === undefined ? {} : { error: error(report.store.error) }),
        },
        providers: report.providers.map((provider) => ({
          ...provider.provider,
          reachable: provider.reachable,
          ...(provider.latencyMs === undefined ? {} : { latencyMs: Math.round(provider.latencyMs) }),
          ...(provider.error === undefined ? {} : { error: error(provider.error) }),
        })),
        sources: report.sources.map(({ source, health, nextPollAt }) => ({
          name: source.name,
          label: source.label,
          type: source.type,
          intervalMs: source.intervalMs,
          ...health,
          ...(nextPollAt === undefined ? {} : { nextPollAt: new Date(nextPollAt).toISOString() }),
        })),
        testmode: report.testmode,
        version: report.version,
      };
    }
    case 'testmode':
      return answer;
  }
}
