import type { HandoffDetail } from '../events.js';
import type { InboundEvent } from '../protocols/types.js';

type HandoffEvent = Extract<InboundEvent, { kind: 'handoff' }>;

/** Where the visitor's request for a person stands, as the backend last said. */
export class HandoffState {
  detail: HandoffDetail | undefined;
  /** Why nobody can take the chat (`nobody-online`, `outside-hours`), when the server said. */
  reason: string | undefined;
  /** The message left for the team was stored. */
  leftMessage = false;

  /** A person is waited for or holds the chat. */
  get active(): boolean {
    return this.detail?.state === 'queued' || this.detail?.state === 'assigned';
  }

  get humanHasChat(): boolean {
    return this.detail?.state === 'assigned';
  }

  /**
   * Takes the backend's news; returns the new state when it changed, undefined when it only
   * repeated what the tab shows (a sync after a reconnect), so the page and screen readers hear
   * of changes only. An `ended` handoff keeps the name of the person who left.
   */
  apply(event: HandoffEvent): HandoffDetail | undefined {
    const previous = this.detail;
    const next: HandoffDetail = {
      state: event.state,
      ...(event.agent ? { agent: event.agent } : {}),
      ...(event.position !== undefined ? { position: event.position } : {}),
    };
    this.reason = event.reason;
    if (
      previous?.state === next.state &&
      previous.position === next.position &&
      previous.agent?.name === next.agent?.name
    ) {
      return undefined;
    }
    if (next.state === 'unavailable') this.leftMessage = false;
    if (next.state === 'ended' && !next.agent && previous?.agent) next.agent = previous.agent;
    this.detail = next;
    return next;
  }
}
