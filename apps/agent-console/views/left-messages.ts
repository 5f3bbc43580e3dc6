/** Messages visitors left for the team while nobody could take their chat. */
import { html, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { mailtoHref } from '../mailto.js';
import type { LeftMessage } from '../model.js';
import type { ViewContext } from './handlers.js';

export function renderLeftMessages(
  { state, locale, handlers, now }: ViewContext,
  messages: LeftMessage[],
): TemplateResult {
  const { t } = locale;
  return html`<h2 id="inbox-left">${t('leftTitle', { count: messages.length })}</h2>
    ${
      messages.length === 0
        ? html`<p class="empty">${t('leftEmpty')}</p>`
        : html`<ul aria-labelledby="inbox-left">
            ${repeat(
              messages,
              (m) => m.id,
              (m) =>
                html`<li>
                  <article class="left-message" aria-label=${t('leftFrom', { email: m.email })}>
                    <span class="line">
                      <a href=${mailtoHref(m.email)}>${m.email}</a>
                      <span class="meta"
                        >${t('leftAgo', { elapsed: locale.elapsed(m.createdAt, now) })}</span
                      >
                    </span>
                    <p>${m.message}</p>
                    <div class="actions">
                      <button type="button" @click=${() => handlers.select(m.conversationId)}>
                        ${t('readChat')}
                      </button>
                      <button
                        type="button"
                        ?disabled=${state.busy}
                        @click=${() => handlers.resolve(m)}
                      >
                        ${t('markDone')}
                      </button>
                    </div>
                  </article>
                </li>`,
            )}
          </ul>`
    }`;
}
