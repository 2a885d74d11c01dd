/**
 * Who is in a Slack user group, read with `usergroups.users.list` and kept
 * for a few minutes. When Slack cannot tell (no `usergroups:read` scope,
 * rate limit, outage) the last answer is used; without one the user counts
 * as not a member, so a rule naming the group cannot grant anything.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../providers/types.ts';

export interface GroupDirectory {
  /** The members of a Slack user group (S…), or undefined when they cannot be read. */
  members(groupId: string): Promise<ReadonlySet<string> | undefined>;
}

export interface UserGroupsApi {
  usergroups: {
    users: {
      list(args: { usergroup: string }): Promise<{ ok?: boolean; users?: string[]; error?: string }>;
    };
  };
}

interface Entry {
  readonly members: ReadonlySet<string>;
  readonly readAt: number;
}

export class SlackGroupDirectory implements GroupDirectory {
  private readonly api: UserGroupsApi;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly ttlMs: number;
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<ReadonlySet<string> | undefined>>();
  private readonly failing = new Set<string>();

  constructor(api: UserGroupsApi, log: Logger, clock: Clock, ttlMs = 5 * 60_000) {
    this.api = api;
    this.log = log;
    this.clock = clock;
    this.ttlMs = ttlMs;
  }

  async members(groupId: string): Promise<ReadonlySet<string> | undefined> {
    const entry = this.entries.get(groupId);
    if (entry && this.clock.now() - entry.readAt < this.ttlMs) return entry.members;
    let pending = this.inFlight.get(groupId);
    if (!pending) {
      pending = this.read(groupId, entry).finally(() => this.inFlight.delete(groupId));
      this.inFlight.set(groupId, pending);
    }
    return pending;
  }

  private async read(groupId: string, stale: Entry | undefined): Promise<ReadonlySet<string> | undefined> {
    try {
      const answer = await this.api.usergroups.users.list({ usergroup: groupId });
      const members = new Set(answer.users ?? []);
      this.entries.set(groupId, { members, readAt: this.clock.now() });
      if (this.failing.delete(groupId)) this.log.info({ group: groupId }, 'user group readable again');
      return members;
    } catch (error) {
      if (!this.failing.has(groupId)) {
        this.failing.add(groupId);
        this.log.warn(
          { err: error, group: groupId },
          'cannot read a Slack user group (the app needs the usergroups:read scope); its rules grant nothing until it can',
        );
      }
      return stale?.members;
    }
  }
}

/** For the CLI without a Slack token: no Slack user group can be read. */
export const NO_SLACK_GROUPS: GroupDirectory = { members: async () => undefined };
