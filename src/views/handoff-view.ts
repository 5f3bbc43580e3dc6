import { html, nothing, type TemplateResult } from 'lit';
import type { HandoffDetail } from '../events.js';
import type { Strings } from '../i18n/en.js';
import { format } from '../i18n/format.js';
import { fromBackend } from './message-view.js';

export interface HandoffViewOptions {
  strings: Strings;
  /** Hosts the agent's avatar may load from (the widget's `image-hosts`). */
  imageHosts: readonly string[];
  /** Why nobody can take the chat, as the server said. */
  reason: string | undefined;
  /** The visitor opened the leave-a-message form. */
  formOpen: boolean;
  /** The left message was stored. */
  left: boolean;
  /** The backend can take a left message. */
  canLeaveMessage: boolean;
  onOpenForm(): void;
  onLeave(email: string, message: string): void;
  formError: string | undefined;
}

/** What the handoff banner says in words, for the banner and for screen readers. */
export function handoffText(handoff: HandoffDetail, strings: Strings, reason?: string): string {
  switch (handoff.state) {
    case 'queued':
      return handoff.position !== undefined
        ? format(strings, 'handoffQueuedPosition', { position: handoff.position })
        : strings.handoffQueued;
    case 'assigned':
      return format(strings, 'handoffAssigned', { name: handoff.agent?.name ?? strings.agent });
    case 'unavailable':
      return reason === 'outside-hours' ? strings.handoffOutsideHours : strings.handoffUnavailable;
    case 'ended':
      return handoff.agent
        ? format(strings, 'handoffEnded', { name: handoff.agent.name })
        : strings.handoffEndedNoName;
  }
}

/** `part="handoff"`: present only while a handoff is under way (or nobody could take it). */
export function handoffView(
  handoff: HandoffDetail | undefined,
  options: HandoffViewOptions,
): TemplateResult | typeof nothing {
  if (!handoff || handoff.state === 'ended') return nothing;
  const { strings } = options;
  const agent = handoff.agent ? fromBackend(handoff.agent, options.imageHosts) : undefined;
  return html`<div part="handoff" data-state=${handoff.state}>
    ${
      handoff.state === 'assigned' && agent?.avatar
        ? html`<img part="avatar" src=${agent.avatar} alt="" width="24" height="24" />`
        : nothing
    }
    <p>${handoffText(handoff, strings, options.reason)}</p>
    ${handoff.state === 'unavailable' && options.canLeaveMessage ? leaveView(options) : nothing}
  </div>`;
}

function leaveView(options: HandoffViewOptions): TemplateResult {
  const { strings } = options;
  if (options.left) return html`<p role="status">${strings.leftMessage}</p>`;
  if (!options.formOpen) {
    return html`<button type="button" class="link" @click=${options.onOpenForm}>
      ${strings.leaveMessage}
    </button>`;
  }
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    options.onLeave(String(data.get('email') ?? ''), String(data.get('message') ?? ''));
  };
  return html`<form class="leave" @submit=${submit}>
    <label
      >${strings.leaveEmail} <input name="email" type="email" autocomplete="email" required
    /></label>
    <label>${strings.leaveText} <textarea name="message" rows="3" required></textarea></label>
    ${options.formError ? html`<p class="notice" role="alert">${options.formError}</p>` : nothing}
    <button type="submit">${strings.leaveSend}</button>
  </form>`;
}
