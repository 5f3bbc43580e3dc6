/**
 * The inbox: waiting chats (oldest first, each with Take), the agent's own, other agents', the
 * ones the assistant handles, and the messages left for the team.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { ChatSummary } from '../model.js';
import type { ViewContext } from './handlers.js';
import { renderLeftMessages } from './left-messages.js';

export function renderInbox(context: ViewContext): TemplateResult {
  const { state, locale, now } = context;
  const { t } = locale;
  const inbox = state.inbox;
  const meId = state.me?.id;
  const mine = inbox?.assigned.filter((c) => c.agent?.id === meId) ?? [];
  const others = inbox?.assigned.filter((c) => c.agent?.id !== meId) ?? [];
  const presence = (c: ChatSummary) => t(c.online ? 'visitorHere' : 'visitorAway');
  return html`<nav class="inbox" aria-label=${t('inbox')}>
    ${
      inbox
        ? html`
            ${section(
              context,
              'waiting',
              t('waitingTitle', { count: inbox.waiting.length }),
              inbox.waiting,
              t('waitingEmpty'),
              (c) => t('waitingFor', { elapsed: locale.elapsed(c.queuedAt, now) }),
              true,
            )}
            ${section(
              context,
              'mine',
              t('mineTitle', { count: mine.length }),
              mine,
              t('mineEmpty'),
              presence,
            )}
            ${section(
              context,
              'others',
              t('othersTitle', { count: others.length }),
              others,
              t('othersEmpty'),
              (c) => t('withAgent', { name: c.agent?.name ?? t('someone') }),
            )}
            ${section(
              context,
              'bot',
              t('botTitle', { count: inbox.bot.length }),
              inbox.bot,
              t('botEmpty'),
              (c) =>
                t('botMeta', {
                  presence: t(c.online ? 'here' : 'away'),
                  elapsed: locale.elapsed(c.updatedAt, now),
                }),
            )}
            ${renderLeftMessages(context, inbox.leftMessages)}
          `
        : html`<p class="empty">${t('loadingInbox')}</p>`
    }
  </nav>`;
}

function section(
  { state, locale, handlers }: ViewContext,
  key: string,
  title: string,
  chats: ChatSummary[],
  empty: string,
  meta: (chat: ChatSummary) => string,
  takeable = false,
): TemplateResult {
  const { t } = locale;
  return html`<h2 id="inbox-${key}">${title}</h2>
    ${
      chats.length === 0
        ? html`<p class="empty">${empty}</p>`
        : html`<ul aria-labelledby="inbox-${key}">
            ${repeat(
              chats,
              (c) => c.id,
              (c) =>
                html`<li>
                  <button
                    type="button"
                    class="chat-link"
                    data-id=${c.id}
                    aria-current=${c.id === state.selectedId ? 'true' : 'false'}
                    @click=${() => handlers.select(c.id)}
                  >
                    <span class="line">
                      <strong>${c.visitor}</strong>
                      <span class="meta">${meta(c)}</span>
                    </span>
                    <span class="preview"
                      >${
                        c.visitorTyping
                          ? t('typingPreview')
                          : (c.lastVisitorMessage ?? t('noMessageYet'))
                      }</span
                    >
                  </button>
                  ${
                    takeable
                      ? html`<button
                          type="button"
                          class="take primary"
                          ?disabled=${state.busy}
                          aria-label=${t('takeWith', { visitor: c.visitor })}
                          @click=${() => handlers.take(c)}
                        >
                          ${t('take')}
                        </button>`
                      : nothing
                  }
                </li>`,
            )}
          </ul>`
    }`;
}
