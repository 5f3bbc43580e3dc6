/** Around the inbox and the chat: who is signed in, the live status, banners. */
import { html, nothing, type TemplateResult } from 'lit';
import type { ConsoleKey } from '../i18n/index.js';
import type { LiveStatus } from '../live.js';
import type { ViewContext } from './handlers.js';

const STATUS: Record<LiveStatus, ConsoleKey> = {
  connecting: 'statusConnecting',
  connected: 'statusConnected',
  reconnecting: 'statusReconnecting',
  'signed-out': 'statusSignedOut',
};

export function renderTop({ state, locale, handlers }: ViewContext): TemplateResult {
  const { t } = locale;
  const me = state.me;
  // The name in bold wherever the language puts it.
  const [before = '', after = ''] = locale.strings.signedInAs.split('{name}');
  return html`<header class="top">
    <h1>${t('title')}</h1>
    <span class="pill" data-status=${state.status}>${t(STATUS[state.status])}</span>
    <span class="who">
      ${
        me?.avatar
          ? html`<img class="avatar" src=${me.avatar} alt="" width="28" height="28" />`
          : nothing
      }
      <span>${before}<strong>${me?.name ?? ''}</strong>${after}</span>
    </span>
    ${
      state.askNotifications
        ? html`<button type="button" @click=${handlers.enableNotifications}>
            ${t('turnOnNotifications')}
          </button>`
        : nothing
    }
    <button type="button" @click=${handlers.signOut}>${t('signOut')}</button>
  </header>`;
}

export function renderAlert({
  state,
  locale,
  handlers,
}: ViewContext): TemplateResult | typeof nothing {
  if (!state.alert) return nothing;
  return html`<p class="banner" role="alert">
    ${locale.text(state.alert)}
    <button type="button" @click=${handlers.dismissAlert}>${locale.t('dismiss')}</button>
  </p>`;
}

export function renderAvailability({
  state,
  locale,
}: ViewContext): TemplateResult | typeof nothing {
  const availability = state.inbox?.availability;
  if (!availability || availability.takingChats) return nothing;
  const text =
    availability.reason === 'outside-hours'
      ? locale.t('outsideHours', { hours: availability.hours ?? '' })
      : locale.t('nobodyTaking');
  return html`<p class="banner">${text}</p>`;
}
