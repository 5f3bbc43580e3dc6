import { html, nothing, type TemplateResult } from 'lit';
import type { Strings } from '../i18n/en.js';
import { markdown } from '../markdown/index.js';
import type { ChatMessage } from '../types.js';

export interface MessageViewOptions {
  strings: Strings;
  imageHosts: readonly string[];
  maxReplyLength: number | undefined;
  onRetry(id: string): void;
}

/** One message: `part="message <role>"` with its id and state, content rendered as markdown. */
export function messageView(message: ChatMessage, options: MessageViewOptions): TemplateResult {
  const { strings } = options;
  const author =
    message.role === 'agent' || (message.author && message.role !== 'user')
      ? (message.author?.name ?? '')
      : '';
  return html`<div
    part="message ${message.role}"
    data-id=${message.id}
    data-state=${message.state}
    data-note=${message.note ?? nothing}
  >
    ${author ? html`<div class="author">${author}</div>` : nothing}
    ${contentView(message, options)} ${metaView(message, strings, options.onRetry)}
  </div>`;
}

function contentView(message: ChatMessage, options: MessageViewOptions): TemplateResult {
  if (message.note === 'deleted') {
    return html`<div part="content" dir="auto"><em>${options.strings.noteDeleted}</em></div>`;
  }
  // The user's own text and system lines are shown as typed: no markdown, no HTML.
  if (message.role === 'user' || message.role === 'system') {
    return html`<div part="content" dir="auto" data-plain>${message.content}</div>`;
  }
  // dir="auto": an English reply inside an Arabic UI (or the reverse) reads in its own direction.
  return html`<div
    part="content"
    dir="auto"
    ${markdown(message.content, {
      streaming: message.state === 'streaming',
      imageHosts: options.imageHosts,
      ...(options.maxReplyLength ? { maxLength: options.maxReplyLength } : {}),
      labels: { copy: options.strings.copy, copied: options.strings.copied },
    })}
  ></div>`;
}

function metaView(
  message: ChatMessage,
  strings: Strings,
  onRetry: (id: string) => void,
): TemplateResult | typeof nothing {
  if (message.state === 'sending') return html`<div class="meta">${strings.stateSending}</div>`;
  if (message.state === 'failed') {
    return html`<div class="meta">
      ${strings.stateFailed}${message.reason ? `: ${message.reason}` : ''}
      <button type="button" @click=${() => onRetry(message.id)}>${strings.retry}</button>
    </div>`;
  }
  if (message.note === 'interrupted') return html`<div class="meta">${strings.noteInterrupted}</div>`;
  if (message.note === 'edited') return html`<div class="meta">(${strings.noteEdited})</div>`;
  return nothing;
}
