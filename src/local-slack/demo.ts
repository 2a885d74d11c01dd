/**
 * What the local workspace runs without a cloudmaster.yml: two simulated
 * clouds, a policy that shows what policies do, and a status page served by
 * the workspace itself whose incident makes the outage watch post.
 *
 * - alice (and bob) may change `dev` machines after confirming;
 * - every change on `prod` (its stacks: `deploy -s shop -e production`)
 *   needs bob's Approve;
 * - carol may only read.
 */
import { DEFAULT_PEOPLE } from './settings.ts';

/** The demo status page, on the workspace's own listener. */
export const DEMO_STATUS_PATH = '/local/status/api/v2/summary.json';

/** The channel the outage watch posts in. */
export const DEMO_WATCH_CHANNEL = '#outages';

const [ALICE, BOB, CAROL] = DEFAULT_PEOPLE;

/** The demo's cloudmaster.yml; `baseUrl` is the workspace's own address (its status page is there). */
export function demoConfigYaml(baseUrl: string): string {
  return `# The local workspace's demo (used only without a cloudmaster.yml).
settings:
  pageSize: 10
  pollInterval: 1s
providers:
  dev:
    type: simulator
    machines: 24
    stacks: false
  prod:
    type: simulator
    seed: 7
    machines: 0
    delays: { deploy: 6s }
policy:
  rules:
    - name: carol-only-reads
      users: [${CAROL.id}]
      verbs: [mutate]
      effect: deny
    - name: prod-needs-bobs-approval
      providers: [prod]
      verbs: [mutate]
      effect: approve
      approvers: [${BOB.id}]
    - name: alice-and-bob-change-dev
      users: [${ALICE.id}, ${BOB.id}]
      providers: [dev]
      verbs: [mutate]
      effect: allow
    - name: on-call-handles-outages
      users: [${ALICE.id}, ${BOB.id}]
      verbs: [acknowledge, resolve, ticket, audit]
      effect: allow
    - name: everyone-reads
      verbs: [read]
      effect: allow
watch:
  channel: "${DEMO_WATCH_CHANNEL}"
  sources:
    - name: demo-cloud
      label: Demo Cloud
      type: statuspage
      url: ${baseUrl}${DEMO_STATUS_PATH}
      interval: 15s
      timeout: 5s
`;
}

/**
 * A Statuspage v2 `summary.json` that is quiet until `incidentAfterMs` after
 * it was made, then shows one open incident (as a real page would during an
 * outage), so the watch has something to post.
 */
export class DemoStatusPage {
  private readonly since: number;
  private readonly incidentAfterMs: number;
  private readonly now: () => number;

  constructor(options: { readonly incidentAfterMs?: number; readonly now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
    this.since = this.now();
    this.incidentAfterMs = options.incidentAfterMs ?? 60_000;
  }

  summary(baseUrl: string): Record<string, unknown> {
    const page = { id: 'demo', name: 'Demo Cloud', url: `${baseUrl}/local/status` };
    const startedAt = this.since + this.incidentAfterMs;
    if (this.now() < startedAt) return { page, incidents: [], scheduled_maintenances: [] };
    const at = new Date(startedAt).toISOString();
    return {
      page,
      incidents: [
        {
          id: 'demo-incident-1',
          name: 'Elevated error rates for machines in sim-fra1',
          status: 'investigating',
          impact: 'major',
          created_at: at,
          updated_at: at,
          started_at: at,
          resolved_at: null,
          shortlink: `${baseUrl}/local/status`,
          incident_updates: [
            {
              status: 'investigating',
              body: 'We are investigating failed reboots and slow starts of machines in sim-fra1.',
              created_at: at,
              affected_components: [{ name: 'Compute (sim-fra1)' }],
            },
          ],
          components: [{ name: 'Compute (sim-fra1)' }],
        },
      ],
      scheduled_maintenances: [],
    };
  }
}
