/**
 * Event ids seen lately. Slack re-sends an event it thinks was not handled
 * (same event_id, new envelope); answering twice would post twice.
 */
export class RecentIds {
  private readonly seen = new Set<string>();
  private readonly capacity: number;

  constructor(capacity = 2000) {
    this.capacity = capacity;
  }

  /** True the first time an id is offered. */
  firstTime(id: string | undefined): boolean {
    if (id === undefined) return true;
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }
}
