import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { requestedLanguages } from '../../src/i18n/match.js';
import { ApiError, api } from './api.js';
import { localize, type ConsoleLocale, type Text } from './i18n/index.js';
import { LiveSocket, type LiveStatus } from './live.js';
import type { ChatSummary, LeftMessage, ServerEvent } from './model.js';
import { askForNotifications, canAskForNotifications, notify } from './notify.js';
import { arrivals, initialState, reduce, summaryOf, type Action, type Outgoing } from './state.js';
import { styles } from './styles.js';
import { renderChat } from './views/chat.js';
import type { Handlers, ViewContext } from './views/handlers.js';
import { renderInbox } from './views/inbox.js';
import { renderAlert, renderAvailability, renderTop } from './views/shell.js';
import { renderSignIn } from './views/sign-in.js';

const TYPING_IDLE_MS = 3000;
const TICK_MS = 15_000;
const CHAT_ID = /^[\w-]{1,64}$/;

/**
 * The agent console: sign-in, a live inbox (waiting chats oldest first, chats held by each
 * agent, chats the assistant handles, left messages), and the chat being answered with its whole
 * transcript, typing both ways, delivery state, and take / hand back / transfer / close.
 *
 * What it knows is one State changed only by reduce() (state.ts); what it shows is the views
 * (views/), in the language the widget's rules choose (i18n/). This class runs the effects: the
 * API calls, the live socket, typing, focus and scrolling, notifications.
 *
 * @attr lang - UI language (BCP 47); unset, the page's, then the browser's
 */
export class AgentConsole extends LitElement {
  static override styles = styles;

  @property() override lang = '';
  @state() private model = initialState;
  private locale: ConsoleLocale = localize(['en']);

  private ticker: ReturnType<typeof setInterval> | undefined;
  private typingIn: string | undefined;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private stickToBottom = true;
  private focusChat = false;

  private live = new LiveSocket({
    event: (event) => this.onEvent(event),
    status: (status) => this.onStatus(status),
    opened: () => {
      const id = this.model.selectedId;
      if (id) this.live.send({ type: 'watch', conversationId: id });
    },
  });

  private dispatch(action: Action): void {
    this.model = reduce(this.model, action);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.ticker = setInterval(() => this.dispatch({ type: 'tick', now: Date.now() }), TICK_MS);
    window.addEventListener('hashchange', this.onHash);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.ticker);
    window.removeEventListener('hashchange', this.onHash);
    this.live.stop();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.hasUpdated || changed.has('lang')) {
      this.locale = localize(requestedLanguages(this));
      // The page is the console's own: it says what language it is shown in.
      document.documentElement.lang = this.locale.language;
      document.documentElement.dir = this.locale.dir;
    }
    const waiting = this.model.inbox?.waiting.length ?? 0;
    document.title =
      waiting > 0 ? this.locale.t('titleWaiting', { count: waiting }) : this.locale.t('title');
  }

  // --- session ------------------------------------------------------------------------------

  private async load(): Promise<void> {
    try {
      const agent = await api.me();
      this.dispatch({ type: 'signed-in', agent, askNotifications: canAskForNotifications() });
      this.live.start();
      const fromHash = decodeURIComponent(location.hash.slice(1));
      if (CHAT_ID.test(fromHash)) this.select(fromHash, { focus: false });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        this.dispatch({ type: 'signed-out' });
      } else {
        this.dispatch({ type: 'load-failed', error: textOf(err) });
        setTimeout(() => void this.load(), 5000);
      }
    }
  }

  private toSignIn(reason?: Text): void {
    this.stopTyping();
    this.live.stop();
    this.dispatch({ type: 'signed-out', ...(reason ? { reason } : {}) });
  }

  // --- live updates -------------------------------------------------------------------------

  private onStatus(status: LiveStatus): void {
    this.dispatch({ type: 'status', status });
    if (status === 'signed-out') {
      this.toSignIn({ key: 'sessionEnded' });
    } else if (status === 'reconnecting' && this.live.attempts >= 3) {
      // A refused handshake cannot say why; the API can.
      api.me().catch((err: unknown) => {
        if (err instanceof ApiError && err.status === 401) this.toSignIn();
      });
    }
  }

  private onEvent(event: ServerEvent): void {
    const { t } = this.locale;
    if (event.type === 'inbox') {
      for (const chat of arrivals(this.model, event.inbox)) {
        notify(
          t('notifyWaiting', { visitor: chat.visitor }),
          chat.lastVisitorMessage ?? '',
          chat.id,
          () => this.select(chat.id),
        );
      }
    } else if (event.type === 'transferred') {
      const id = event.conversationId;
      const visitor = summaryOf(this.model, id)?.visitor ?? t('aVisitor');
      const body = t('passedToYou', { from: event.from, visitor });
      notify(t('notifyYours', { visitor }), body, id, () => this.select(id));
    }
    this.dispatch({ type: 'server', event, now: Date.now() });
  }

  private onHash = (): void => {
    const id = decodeURIComponent(location.hash.slice(1));
    if (id && id !== this.model.selectedId && CHAT_ID.test(id)) this.select(id);
  };

  // --- actions ------------------------------------------------------------------------------

  private select(id: string, { focus = true } = {}): void {
    if (id !== this.model.selectedId) {
      this.stopTyping();
      this.stickToBottom = true;
      this.dispatch({ type: 'select', id });
      if (location.hash.slice(1) !== id) history.replaceState(null, '', `#${id}`);
      this.live.send({ type: 'watch', conversationId: id });
      // Without the socket, the chat comes over HTTP, once.
      if (this.model.status !== 'connected') {
        api.conversation(id).then(
          (view) => this.dispatch({ type: 'view-loaded', view }),
          (err: unknown) => this.dispatch({ type: 'view-failed', id, error: textOf(err) }),
        );
      }
    } else {
      this.dispatch({ type: 'select', id });
    }
    this.focusChat = focus;
  }

  /** One action of the agent's: busy meanwhile, then a notice or an alert. */
  private async run(what: () => Promise<unknown>, done?: Text): Promise<boolean> {
    this.dispatch({ type: 'action-started' });
    try {
      await what();
      this.dispatch({ type: 'action-done', ...(done ? { notice: done } : {}) });
      return true;
    } catch (err) {
      this.dispatch({ type: 'action-failed', error: textOf(err) });
      return false;
    }
  }

  private async take(chat: ChatSummary): Promise<void> {
    const ok = await this.run(() => api.act(chat.id, 'take'), {
      key: 'tookChat',
      values: { visitor: chat.visitor },
    });
    if (!ok) return;
    this.select(chat.id);
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLTextAreaElement>('textarea')?.focus();
  }

  private stopTyping(): void {
    clearTimeout(this.typingTimer);
    const id = this.typingIn;
    this.typingIn = undefined;
    if (id) api.typing(id, false).catch(() => {});
  }

  private async deliver(outgoing: Outgoing): Promise<void> {
    const { clientMessageId } = outgoing;
    try {
      const message = await api.send(outgoing.conversationId, outgoing.content, clientMessageId);
      this.dispatch({ type: 'sent', clientMessageId, message });
    } catch (err) {
      this.dispatch({ type: 'not-sent', clientMessageId, error: textOf(err) });
    }
  }

  private handlers: Handlers = {
    signIn: (event) => {
      event.preventDefault();
      const form = event.currentTarget as HTMLFormElement;
      const data = new FormData(form);
      this.dispatch({ type: 'sign-in-started' });
      api.signIn(String(data.get('name') ?? ''), String(data.get('password') ?? '')).then(
        async () => {
          form.reset();
          await this.load();
          this.dispatch({ type: 'action-done' });
        },
        (err: unknown) => this.dispatch({ type: 'sign-in-failed', error: textOf(err) }),
      );
    },
    signOut: () => {
      this.stopTyping();
      // Stopped first: the server closes the socket with "session ended", which is no news here.
      this.live.stop();
      api.signOut().then(
        () => this.toSignIn(),
        (err: unknown) => {
          if (err instanceof ApiError && err.status === 401) {
            this.toSignIn();
            return;
          }
          this.dispatch({ type: 'load-failed', error: textOf(err) });
          this.live.start();
        },
      );
    },
    enableNotifications: () => {
      void askForNotifications().then((permission) => {
        this.dispatch({ type: 'notifications-asked', granted: permission === 'granted' });
      });
    },
    dismissAlert: () => this.dispatch({ type: 'dismiss-alert' }),
    select: (id) => this.select(id),
    back: () => {
      this.dispatch({ type: 'back' });
      void this.updateComplete.then(() => {
        this.renderRoot
          .querySelector<HTMLElement>(`.chat-link[data-id="${this.model.selectedId}"]`)
          ?.focus();
      });
    },
    take: (chat) => void this.take(chat),
    handBack: (chat) => {
      this.stopTyping();
      void this.run(() => api.act(chat.id, 'handback'), {
        key: 'handedBack',
        values: { visitor: chat.visitor },
      });
    },
    closeChat: (chat) => {
      this.stopTyping();
      void this.run(() => api.act(chat.id, 'close'), {
        key: 'closedChat',
        values: { visitor: chat.visitor },
      });
    },
    transfer: (chat, event) => {
      event.preventDefault();
      const select = (event.currentTarget as HTMLFormElement).elements.namedItem('agent');
      const value = select instanceof HTMLSelectElement ? select.value : undefined;
      const to = this.model.inbox?.agents.find((a) => a.id === value);
      if (!to) return;
      this.stopTyping();
      void this.run(() => api.transfer(chat.id, to.id), {
        key: 'transferred',
        values: { name: to.name, visitor: chat.visitor },
      });
    },
    resolve: (left: LeftMessage) => {
      void this.run(() => api.resolveLeftMessage(left.id), {
        key: 'resolved',
        values: { email: left.email },
      });
    },
    composerKey: (event) => {
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
      event.preventDefault();
      (event.currentTarget as HTMLTextAreaElement).form?.requestSubmit();
    },
    composerInput: () => {
      const id = this.model.selectedId;
      if (!id) return;
      if (this.typingIn !== id) {
        this.typingIn = id;
        api.typing(id, true).catch(() => {});
      }
      clearTimeout(this.typingTimer);
      this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
    },
    submit: (event) => {
      event.preventDefault();
      const form = event.currentTarget as HTMLFormElement;
      const field = form.elements.namedItem('message');
      const id = this.model.selectedId;
      if (!(field instanceof HTMLTextAreaElement) || !id || field.value.trim() === '') return;
      const content = field.value;
      field.value = '';
      // The server turns typing off with the message itself.
      clearTimeout(this.typingTimer);
      this.typingIn = undefined;
      const outgoing: Outgoing = {
        conversationId: id,
        clientMessageId: crypto.randomUUID(),
        content,
        timestamp: new Date().toISOString(),
        state: 'sending',
      };
      this.dispatch({ type: 'outgoing', outgoing });
      this.stickToBottom = true;
      void this.deliver(outgoing);
    },
    resend: (outgoing) => {
      this.dispatch({ type: 'resend', clientMessageId: outgoing.clientMessageId });
      void this.deliver({ ...outgoing, state: 'sending' });
    },
    scroll: (event) => {
      const list = event.currentTarget as HTMLElement;
      this.stickToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
    },
  };

  // --- rendering ----------------------------------------------------------------------------

  override render(): TemplateResult {
    const context: ViewContext = {
      state: this.model,
      locale: this.locale,
      handlers: this.handlers,
      now: Date.now() + this.model.clockOffset,
    };
    const { phase, me, alert, notice, pane } = this.model;
    // Language and direction come from the page, which willUpdate() sets to the console's.
    if (phase === 'loading') {
      return html`<main class="placeholder chat"><p>${this.locale.t('loading')}</p></main>
        ${alert ? html`<p class="banner" role="alert">${this.locale.text(alert)}</p>` : nothing}`;
    }
    if (phase === 'signed-out' || !me) return renderSignIn(context);
    return html`<div class="shell">
        ${renderTop(context)}
        <div>${renderAlert(context)} ${renderAvailability(context)}</div>
        <div class="layout" data-pane=${pane}>${renderInbox(context)} ${renderChat(context)}</div>
      </div>
      <div class="visually-hidden" role="status">${notice ? this.locale.text(notice) : ''}</div>`;
  }

  override updated(): void {
    const transcript = this.renderRoot.querySelector<HTMLElement>('.transcript');
    if (transcript && this.stickToBottom) transcript.scrollTop = transcript.scrollHeight;
    if (this.focusChat && this.model.view) {
      this.focusChat = false;
      this.renderRoot.querySelector<HTMLElement>('#chat-title')?.focus();
    }
  }
}

/** What the agent is told of a failure. */
function textOf(err: unknown): Text {
  if (err instanceof ApiError) return err.text;
  return { raw: err instanceof Error ? err.message : String(err) };
}
