import { html, nothing, type TemplateResult } from 'lit';
import type { ViewContext } from './handlers.js';

export function renderSignIn({ state, locale, handlers }: ViewContext): TemplateResult {
  const { t } = locale;
  return html`<main>
    <form class="sign-in" @submit=${handlers.signIn} aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">${t('title')}</h1>
      <p>${t('signInIntro')}</p>
      <label>
        ${t('name')}
        <input name="name" autocomplete="username" required autocapitalize="none" />
      </label>
      <label>
        ${t('password')}
        <input name="password" type="password" autocomplete="current-password" required />
      </label>
      ${
        state.signInError
          ? html`<p class="error" role="alert">${locale.text(state.signInError)}</p>`
          : nothing
      }
      <button class="primary" type="submit" ?disabled=${state.busy}>${t('signIn')}</button>
    </form>
  </main>`;
}
