/**
 * The chat being read or answered: its state and the actions on it, the whole transcript
 * (replies and agents' messages through the widget's markdown module, sanitized the same way),
 * who is typing, and the composer for the agent holding it.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { markdown } from '../../../src/markdown/index.js';
import type { ChatSummary, ConsoleMessage } from '../model.js';
import type { Outgoing } from '../state.js';
import type { ViewContext } from './handlers.js';

// Transcripts show no images from anywhere: an agent's browser is not where a model's (or a
// visitor's) image URLs get fetched. They become links, as in the widget without image-hosts.
const MARKDOWN = { imageHosts: [] as string[] };

export function renderChat(context: ViewContext): TemplateResult {
  const { state, locale, handlers } = context;
  const { t } = locale;
  if (!state.selectedId) {
    return html`<main class="chat placeholder" aria-label=${t('chat')}>
      <p>${t('chooseChat')}</p>
    </main>`;
  }
  const view = state.view;
  if (!view) {
    return html`<main class="chat placeholder" aria-label=${t('chat')}>
      <p>${t('loadingChat')}</p>
    </main>`;
  }
  const chat = view.conversation;
  const holding = chat.state === 'assigned' && chat.agent?.id === state.me?.id;
  const outgoing = state.outgoing.filter((o) => o.conversationId === chat.id);
  return html`<main class="chat" aria-labelledby="chat-title">
    <div class="chat-header">
      <button type="button" class="back" @click=${handlers.back}>${t('back')}</button>
      <h2 id="chat-title" tabindex="-1">${chat.visitor}</h2>
      <span class="state">${stateText(context, chat)}</span>
      ${renderActions(context, chat, holding)}
    </div>
    <div
      class="transcript"
      role="log"
      aria-live="polite"
      aria-label=${t('conversationWith', { visitor: chat.visitor })}
      tabindex="0"
      @scroll=${handlers.scroll}
    >
      <ol class="messages">
        ${repeat(
          view.messages,
          (m) => m.messageId,
          (m) => renderMessage(context, m, chat),
        )}
        ${repeat(
          outgoing,
          (o) => o.clientMessageId,
          (o) => renderOutgoing(context, o),
        )}
      </ol>
    </div>
    <div class="typing" aria-live="polite">${typingText(context, chat)}</div>
    ${
      holding
        ? html`<form class="composer" @submit=${handlers.submit}>
            <label for="composer">${t('replyTo', { visitor: chat.visitor })}</label>
            <textarea
              id="composer"
              name="message"
              rows="2"
              maxlength="2000"
              @keydown=${handlers.composerKey}
              @input=${handlers.composerInput}
            ></textarea>
            <button class="primary" type="submit">${t('send')}</button>
          </form>`
        : html`<p class="hint">${hintText(context, chat)}</p>`
    }
  </main>`;
}

function renderActions(
  { state, locale, handlers }: ViewContext,
  chat: ChatSummary,
  holding: boolean,
): TemplateResult | typeof nothing {
  const { t } = locale;
  if (chat.state === 'queued') {
    return html`<button
      type="button"
      class="primary"
      ?disabled=${state.busy}
      @click=${() => handlers.take(chat)}
    >
      ${t('takeThisChat')}
    </button>`;
  }
  if (!holding) return nothing;
  const colleagues = (state.inbox?.agents ?? []).filter((a) => a.online && a.id !== state.me?.id);
  return html`<button type="button" ?disabled=${state.busy} @click=${() => handlers.handBack(chat)}>
      ${t('handBack')}
    </button>
    <form class="transfer" @submit=${(e: SubmitEvent) => handlers.transfer(chat, e)}>
      <label for="transfer-to">${t('transferTo')}</label>
      <select id="transfer-to" name="agent" ?disabled=${colleagues.length === 0}>
        ${
          colleagues.length === 0
            ? html`<option value="">${t('nobodyElseOnline')}</option>`
            : colleagues.map((a) => html`<option value=${a.id}>${a.name}</option>`)
        }
      </select>
      <button type="submit" ?disabled=${state.busy || colleagues.length === 0}>
        ${t('transfer')}
      </button>
    </form>
    <button
      type="button"
      class="danger"
      ?disabled=${state.busy}
      @click=${() => handlers.closeChat(chat)}
    >
      ${t('closeChat')}
    </button>`;
}

function stateText({ state, locale, now }: ViewContext, chat: ChatSummary): string {
  const { t } = locale;
  const presence = t(chat.online ? 'visitorHere' : 'visitorAway');
  const elapsed = locale.elapsed(chat.queuedAt, now);
  switch (chat.state) {
    case 'queued':
      return chat.position
        ? t('stateQueuedAt', { position: chat.position, elapsed, presence })
        : t('stateQueued', { elapsed, presence });
    case 'assigned':
      return chat.agent?.id === state.me?.id
        ? t('stateYou', { presence })
        : t('stateAgent', { name: chat.agent?.name ?? t('anotherAgent'), presence });
    case 'closed':
      return t('stateClosed', { presence });
    default:
      return t('stateBot', { presence });
  }
}

function hintText({ locale }: ViewContext, chat: ChatSummary): string {
  const { t } = locale;
  switch (chat.state) {
    case 'queued':
      return t('hintQueued');
    case 'assigned':
      return t('hintAssigned', { name: chat.agent?.name ?? t('anotherAgent') });
    default:
      return t('hintBot');
  }
}

function typingText({ state, locale }: ViewContext, chat: ChatSummary): string {
  const now = Date.now();
  const names = [...state.typers]
    .filter(([, until]) => until > now)
    .map(([who]) => (who === 'visitor' ? chat.visitor : who));
  if (names.length === 0) return '';
  return locale.t(names.length === 1 ? 'typingOne' : 'typingMany', {
    names: locale.list(names),
  });
}

function renderMessage(
  { state, locale }: ViewContext,
  m: ConsoleMessage,
  chat: ChatSummary,
): TemplateResult {
  const { t } = locale;
  if (m.role === 'system') {
    return html`<li class="message system">
      <span>${m.content}</span> <time datetime=${m.timestamp}>${locale.clock(m.timestamp)}</time>
    </li>`;
  }
  const mine = m.role === 'agent' && m.agent?.id === state.me?.id;
  const author =
    m.role === 'user'
      ? chat.visitor
      : m.role === 'assistant'
        ? t('assistant')
        : mine
          ? t('you', { name: m.agent?.name ?? '' })
          : (m.agent?.name ?? t('agent'));
  const streaming = m.state === 'streaming';
  return html`<li class="message ${m.role}" data-id=${m.messageId} data-role=${m.role}>
    <div class="author">
      <strong>${author}</strong>
      <time datetime=${m.timestamp}>${streaming ? t('writing') : locale.clock(m.timestamp)}</time>
    </div>
    ${
      m.role === 'user'
        ? html`<p class="plain">${m.content}</p>`
        : html`<div class="content" ${markdown(m.content, { ...MARKDOWN, streaming })}></div>`
    }
    ${
      mine
        ? html`<div class="delivery" data-state=${m.deliveredAt ? 'delivered' : 'sent'}>
            ${m.deliveredAt ? t('delivered') : t('sentNotOpen')}
          </div>`
        : nothing
    }
  </li>`;
}

function renderOutgoing({ state, locale, handlers }: ViewContext, o: Outgoing): TemplateResult {
  const { t } = locale;
  return html`<li class="message agent" data-state=${o.state}>
    <div class="author">
      <strong>${t('you', { name: state.me?.name ?? '' })}</strong>
      <time datetime=${o.timestamp}>${locale.clock(o.timestamp)}</time>
    </div>
    <div class="content" ${markdown(o.content, { ...MARKDOWN, streaming: false })}></div>
    <div class="delivery" data-state=${o.state}>
      ${
        o.state === 'sending'
          ? t('sending')
          : html`${t('notSent', { error: o.error ? locale.text(o.error) : '' })}
              <button type="button" @click=${() => handlers.resend(o)}>${t('tryAgain')}</button>`
      }
    </div>
  </li>`;
}
