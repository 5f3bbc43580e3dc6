import { html, nothing, type TemplateResult } from 'lit';
import type { Strings } from '../i18n/en.js';
import { allowedImage, markdown } from '../markdown/index.js';
import type { Author, ChatMessage } from '../types.js';
import { exactTime, relativeTime } from './time.js';

export interface MessageViewOptions {
  strings: Strings;
  language: string;
  now: number;
  imageHosts: readonly string[];
  maxReplyLength: number | undefined;
  /** Shown on assistant messages when the site names its assistant. */
  assistant: Author | undefined;
  /** Fallback name for a human agent whose messages carry none. */
  agentName: string | undefined;
  onRetry(id: string): void;
  /** Whether an interrupted reply offers Retry. */
  canRetryReply(message: ChatMessage): boolean;
  onRetryReply(id: string): void;
  /** The next message continues this one's group: the time shows under that one instead. */
  grouped?: boolean;
}

/** One message: `part="message <role>"` with its id and state, content rendered as markdown. */
export function messageView(message: ChatMessage, options: MessageViewOptions): TemplateResult {
  const { strings } = options;
  const author = authorOf(message, options);
  return html`<div
    part="message ${message.role}"
    data-id=${message.id}
    data-state=${message.state}
    data-note=${message.note ?? nothing}
  >
    ${
      author
        ? html`<div class="author" part="author">
            ${
              author.avatar
                ? html`<img part="avatar" src=${author.avatar} alt="" width="20" height="20" />`
                : nothing
            }<span>${author.name}</span>
          </div>`
        : nothing
    }
    ${contentView(message, options)} ${metaView(message, strings, options)}
  </div>`;
}

function authorOf(message: ChatMessage, options: MessageViewOptions): Author | undefined {
  if (message.author) return fromBackend(message.author, options.imageHosts);
  if (message.role === 'agent') return { name: options.agentName || options.strings.agent };
  // The page's own `assistant-avatar` is the host's choice, not a backend's: it is trusted.
  if (message.role === 'assistant') return options.assistant;
  return undefined;
}

/**
 * An author a backend named: the name stays text (Lit renders it as such), and an avatar
 * loads only under the rule for images in replies, since a backend that can be steered
 * could otherwise make the widget fetch any URL.
 */
export function fromBackend(author: Author, imageHosts: readonly string[]): Author {
  const avatar = author.avatar ? allowedImage(author.avatar, imageHosts) : null;
  return { name: author.name, ...(avatar ? { avatar } : {}) };
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
  options: MessageViewOptions,
): TemplateResult | typeof nothing {
  if (message.state === 'sending') return html`<div class="meta">${strings.stateSending}</div>`;
  if (message.note === 'no-answer' && message.role === 'user') {
    return html`<div class="meta">
      ${strings.noteNoAnswer}
      <button type="button" @click=${() => options.onRetry(message.id)}>${strings.retry}</button>
    </div>`;
  }
  if (message.state === 'failed') {
    return html`<div class="meta">
      ${strings.stateFailed}${message.reason ? `: ${message.reason}` : ''}
      <button type="button" @click=${() => options.onRetry(message.id)}>${strings.retry}</button>
    </div>`;
  }
  const note =
    message.note === 'interrupted'
      ? strings.noteInterrupted
      : message.note === 'edited'
        ? `(${strings.noteEdited})`
        : '';
  // Timestamps only where the clock is meaningful: not on locally shown or history-less lines.
  // One time per group of messages (see continuesGroup), the exact one on hover.
  const time =
    message.createdAt > 0 && message.role !== 'system' && !options.grouped
      ? html`<time
          part="timestamp"
          datetime=${new Date(message.createdAt).toISOString()}
          title=${exactTime(message.createdAt, options.language)}
          >${relativeTime(message.createdAt, options.now, options.language)}</time
        >`
      : nothing;
  const retry = options.canRetryReply(message)
    ? html`<button type="button" @click=${() => options.onRetryReply(message.id)}>
        ${strings.retry}
      </button>`
    : nothing;
  if (!note && time === nothing) return nothing;
  return html`<div class="meta">
    ${time}${note ? html` <span>${note}</span>` : nothing}${retry}
  </div>`;
}
