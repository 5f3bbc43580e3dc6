import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { styles } from './chat-widget.styles.js';
import { ClockController } from './controllers/clock-controller.js';
import { ViewportController } from './controllers/viewport-controller.js';
import { ConversationController } from './controllers/conversation-controller.js';
import { TypingController } from './controllers/typing-controller.js';
import { noticeText } from './conversation/notice.js';
import { ScrollController } from './controllers/scroll-controller.js';
import { ChatCloseEvent, ChatOpenEvent } from './events.js';
import { format, stringsFor, type Localization, type Strings } from './i18n/index.js';
import type { ChatMessage, ProtocolName, TokenProvider } from './types.js';
import { chatIcon, closeIcon, personIcon, sendIcon } from './views/icons.js';
import { handoffText, handoffView } from './views/handoff-view.js';
import { warmUp } from './markdown/index.js';
import { fromBackend, messageView } from './views/message-view.js';
import { continuesGroup } from './views/time.js';

/**
 * An AI chat window for any web page: one element, configured by attributes.
 *
 * @summary Embeddable chat with streaming, sanitized markdown replies.
 *
 * @attr server - WebSocket URL of the backend (base URL for `rooms`). Required.
 * @attr protocol - `stream` (default), `events`, `rooms` or `threads`.
 * @attr token-url - Endpoint the widget POSTs to (cookies sent) for `{token, expires_in}`.
 * @attr token - A token given directly instead of `token-url`.
 * @attr user-id - Who is chatting, when the token response does not say.
 * @attr user-name - Display name of the user, when the token response does not say.
 * @attr conversation-id - Chat, room or thread id, by protocol.
 * @attr api-base - REST base URL for `events` and `rooms`; defaults to the server origin over http(s).
 * @attr agent-id - `threads` only: the agent to address.
 * @attr heading - Text in the panel's header. Default "Chat".
 * @attr placeholder - Text in the empty input.
 * @attr greeting - A first assistant message, shown locally.
 * @attr lang - UI language (BCP 47).
 * @attr theme - `light`, `dark` or `auto` (default).
 * @attr mode - `popup` (default) or `inline`.
 * @attr position - `bottom-right` (default) or `bottom-left`.
 * @attr open - The popup panel is open (reflects).
 * @attr escalation - `auto` (default) shows "Talk to a human" where the protocol can carry it; `off` hides it.
 * @attr image-hosts - Space-separated hosts whose https images may load in replies.
 * @attr max-length - Longest message the user may send (default: the backend's limit, else 4000).
 * @attr max-reply-length - Longest reply rendered as markdown; longer replies are cut and marked (default 100000).
 * @attr assistant-name - Name shown on the assistant's messages.
 * @attr assistant-avatar - Image URL shown beside the assistant's name.
 * @attr agent-name - Name shown on a human agent's messages when the backend gives none.
 * @attr preload - With the loader (`dist/chat-widget.loader.js`): `idle` loads the full widget once the page is idle, instead of on the visitor's intent.
 * @attr reply-timeout - Seconds without any part of a reply before typing stops and the message shows "No answer yet" with Retry (default 60).
 *
 * @prop {() => Promise<object | string>} getToken - Called before every connect instead of `token-url`.
 * @prop {Partial<Strings>} strings - Overrides for any UI string.
 *
 * @fires chat-open - The popup opened.
 * @fires chat-close - The popup closed.
 * @fires chat-send - `{ text }` before a user message leaves; cancelable.
 * @fires chat-status - `{ status }` when the connection status changes.
 * @fires chat-message - `{ message }` when a message is complete.
 * @fires chat-escalate - `{ reason }` when the user asked for a human.
 * @fires chat-handoff - `{ state, agent?, position? }` when a human handoff changes.
 * @fires chat-error - `{ code, message, detail? }` when something went wrong: `message` is what the visitor read, `detail` the backend's own words.
 *
 * @csspart launcher - The floating button (popup mode).
 * @csspart panel - The chat window.
 * @csspart header - The panel's header.
 * @csspart status - Connection status; `data-status` holds the status.
 * @csspart messages - The message list (`role="log"`).
 * @csspart message - One message, with one of `user`, `assistant`, `agent`, `system`; `data-id`, `data-state`.
 * @csspart user - A message from the user.
 * @csspart assistant - A message from the assistant.
 * @csspart agent - A message from a human agent.
 * @csspart system - A system line.
 * @csspart content - The rendered, sanitized markdown of a message.
 * @csspart typing - The typing indicator, present only while someone types.
 * @csspart composer - The message form.
 * @csspart input - The message `<textarea>`.
 * @csspart send-button - The submit button.
 * @csspart escalate-button - "Talk to a human".
 * @csspart handoff - The handoff banner, present only during a handoff.
 * @csspart error - The error banner, present only while there is an error.
 * @csspart badge - The unread count on the launcher, present only while there are unread replies.
 * @csspart author - The name (and avatar) above an assistant or agent message.
 * @csspart avatar - The avatar image in `author`.
 * @csspart timestamp - The relative time under the last message of a group by one author; the exact time in its title.
 *
 * @cssprop --chat-widget-accent - Brand colour: launcher, user bubbles, send button.
 * @cssprop --chat-widget-on-accent - Text on the accent colour.
 * @cssprop --chat-widget-background - Panel background.
 * @cssprop --chat-widget-foreground - Text colour.
 * @cssprop --chat-widget-muted - Secondary text.
 * @cssprop --chat-widget-border - Borders and dividers.
 * @cssprop --chat-widget-surface - Header and assistant bubbles.
 * @cssprop --chat-widget-user-background - User bubbles.
 * @cssprop --chat-widget-user-foreground - Text in user bubbles.
 * @cssprop --chat-widget-assistant-background - Assistant bubbles.
 * @cssprop --chat-widget-agent-background - Human agent bubbles and the handoff banner.
 * @cssprop --chat-widget-error-background - Error banner background.
 * @cssprop --chat-widget-error-foreground - Error banner text.
 * @cssprop --chat-widget-status-connected - Status dot when connected.
 * @cssprop --chat-widget-status-reconnecting - Status dot when (re)connecting.
 * @cssprop --chat-widget-status-error - Status dot when offline or in error.
 * @cssprop --chat-widget-font - Font family.
 * @cssprop --chat-widget-mono-font - Code font family.
 * @cssprop --chat-widget-font-size - Base font size.
 * @cssprop --chat-widget-radius - Corner radius of panel and bubbles.
 * @cssprop --chat-widget-width - Popup panel width.
 * @cssprop --chat-widget-height - Popup panel height.
 * @cssprop --chat-widget-z-index - Stacking order of launcher and popup.
 * @cssprop --chat-widget-offset - Distance of launcher and popup from the viewport edge.
 * @cssprop --chat-widget-launcher-size - Launcher diameter.
 * @cssprop --chat-widget-shadow - Shadow of launcher and popup.
 * @cssprop --chat-widget-badge-background - The unread badge.
 * @cssprop --chat-widget-badge-foreground - The unread badge's number.
 * @cssprop --chat-widget-code-background - Code blocks (and their copy button).
 * @cssprop --chat-widget-code-foreground - Text in code blocks.
 * @cssprop --chat-widget-code-border - The copy button's border.
 * @cssprop --chat-widget-inline-code-background - Inline `code` in replies.
 */
export class ChatWidget extends LitElement {
  static override styles = styles;

  @property() server = '';
  @property() protocol: ProtocolName = 'stream';
  @property({ attribute: 'token-url' }) tokenUrl = '';
  @property() token = '';
  @property({ attribute: 'user-id' }) userId = '';
  @property({ attribute: 'user-name' }) userName = '';
  @property({ attribute: 'conversation-id' }) conversationId = '';
  @property({ attribute: 'api-base' }) apiBase = '';
  @property({ attribute: 'agent-id' }) agentId = '';
  @property() heading = '';
  @property() placeholder = '';
  @property() greeting = '';
  @property() override lang = '';
  @property({ reflect: true }) theme: 'light' | 'dark' | 'auto' = 'auto';
  @property({ reflect: true }) mode: 'popup' | 'inline' = 'popup';
  @property({ reflect: true }) position: 'bottom-right' | 'bottom-left' = 'bottom-right';
  @property({ type: Boolean, reflect: true }) open = false;
  @property() escalation: 'auto' | 'off' = 'auto';
  @property({ attribute: 'image-hosts' }) imageHosts = '';
  @property({ attribute: 'max-length', type: Number }) maxLength: number | undefined;
  @property({ attribute: 'max-reply-length', type: Number }) maxReplyLength: number | undefined;
  @property({ attribute: 'assistant-name' }) assistantName = '';
  @property({ attribute: 'assistant-avatar' }) assistantAvatar = '';
  @property({ attribute: 'agent-name' }) agentName = '';
  @property({ attribute: 'reply-timeout', type: Number }) replyTimeout: number | undefined;
  @property({ attribute: false }) getToken: TokenProvider | undefined;
  /** Replace any UI string (see the README's string table); unknown keys are ignored. */
  @property({ attribute: false }) strings: Partial<Strings> | undefined;

  @state() private draft = '';
  /** Replies completed while the popup was closed. */
  @state() private unread = 0;
  @state() private leaveFormOpen = false;
  @state() private leaveError: string | undefined;
  /** Text for screen readers: completed replies and status changes, once each. */
  @state() private announcement = '';

  @query('[part="input"]') private input?: HTMLTextAreaElement;
  @query('[part="launcher"]') private launcher?: HTMLButtonElement;

  readonly #conversation = new ConversationController(
    this,
    () => ({
      protocol: this.protocol || 'stream',
      server: this.server,
      scope: this.id,
      ...(this.apiBase ? { apiBase: this.apiBase } : {}),
      ...(this.token ? { token: this.token } : {}),
      ...(this.tokenUrl ? { tokenUrl: this.tokenUrl } : {}),
      ...(this.getToken ? { getToken: this.getToken } : {}),
      ...(this.userId ? { userId: this.userId } : {}),
      ...(this.userName ? { userName: this.userName } : {}),
      ...(this.conversationId ? { conversationId: this.conversationId } : {}),
      ...(this.agentId ? { agentId: this.agentId } : {}),
      ...(this.maxLength ? { maxLength: this.maxLength } : {}),
      ...(this.replyTimeout ? { replyTimeout: this.replyTimeout } : {}),
    }),
    () => this.#t,
    {
      messageCompleted: (message) => {
        if (message.role === 'user') return;
        if (this.mode !== 'inline' && !this.open) this.unread += 1;
        const { content } = message;
        this.announcement = content.length > 400 ? `${content.slice(0, 400)}…` : content;
      },
      statusChanged: (status) => {
        this.announcement = this.#statusText(status, undefined);
      },
      handoffChanged: (detail) => {
        this.announcement = handoffText(detail, this.#t, this.#conversation.state.handoff.reason);
        if (detail.state !== 'unavailable') this.leaveFormOpen = false;
      },
    },
  );

  readonly #typing = new TypingController(this, (active) => {
    if (this.#conversation.capabilities?.typing) this.#conversation.userTyping(active);
  });

  readonly #clock = new ClockController(this);

  readonly #viewport = new ViewportController(this, () =>
    this.renderRoot?.querySelector<HTMLElement>('[part="panel"]'),
  );

  readonly #scroller = new ScrollController(this, () => void this.#conversation.loadOlder());

  #localization: Localization = stringsFor([]);

  /** The UI strings in use. */
  get #t(): Strings {
    return this.#localization.strings;
  }

  /** Send a message; resolves once the backend has it, rejects with the reason. */
  send(text: string): Promise<void> {
    const outcome = this.#conversation.send(text);
    if (outcome.status === 'refused') return Promise.reject(new Error(outcome.message));
    this.#scroller.toBottom();
    return outcome.delivered;
  }

  /** Ask for a human. */
  escalate(reason: string = this.#t.escalationReason): Promise<void> {
    return this.#conversation.escalate(reason);
  }

  connect(): void {
    this.#conversation.start();
  }

  disconnect(): void {
    this.#conversation.stop();
  }

  /** Forget the local transcript. */
  clear(): void {
    this.#conversation.clear();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.open && this.unread > 0) this.unread = 0;
    if (!this.hasUpdated || changed.has('lang') || changed.has('strings')) {
      this.#localization = stringsFor(
        [this.lang, document.documentElement.lang, ...navigator.languages],
        this.strings,
      );
    }
    const connectionKeys = [
      'server',
      'protocol',
      'tokenUrl',
      'token',
      'getToken',
      'userId',
      'userName',
      'conversationId',
      'apiBase',
      'agentId',
    ] as const;
    if (this.hasUpdated && connectionKeys.some((key) => changed.has(key))) {
      this.#conversation.restart();
    } else if (!this.hasUpdated) {
      this.#conversation.restore();
    }
    // Nothing heavy before it is needed: connect when the panel first shows,
    // or at once when a conversation from this tab is there to continue.
    if (
      !this.#conversation.started &&
      (this.mode === 'inline' || this.open || this.#conversation.hasStoredConversation)
    ) {
      this.#conversation.start();
    }
  }

  /** What the loader left when this element took over its shadow root (src/loader/). */
  #handover: { open: boolean; focused: boolean } | undefined;

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    // The loader's nodes go before Lit picks where to render (it renders before the first child).
    const root = this.shadowRoot;
    const launcher = root?.querySelector<HTMLElement>('[data-loader]');
    if (root && launcher) {
      this.#handover = {
        open: launcher.dataset.intent === 'open',
        focused: root.activeElement === launcher,
      };
      for (const node of root.querySelectorAll('[data-loader], [data-loader-alert]')) node.remove();
    }
    return super.createRenderRoot();
  }

  protected override firstUpdated(): void {
    const handover = this.#handover;
    this.#handover = undefined;
    // The click that asked for the widget opens it (chat-open, focus in the input), as a click
    // on this launcher would; a launcher that only had focus keeps it here.
    if (handover?.open && this.mode !== 'inline') this.open = true;
    else if (handover?.focused) this.launcher?.focus();
  }

  #warmed = false;

  protected override updated(changed: PropertyValues<this>): void {
    // Once a conversation starts, compile the markdown path while the browser is idle, so the
    // first reply's first frame does not pay for it.
    if (this.#conversation.started && !this.#warmed) {
      this.#warmed = true;
      const idle = window.requestIdleCallback ?? ((run: () => void) => setTimeout(run, 200));
      idle(() => warmUp());
    }
    this.#scroller.observe(
      this.renderRoot.querySelector<HTMLElement>('[part="messages"]') ?? undefined,
      this.renderRoot.querySelector<HTMLElement>('.stack') ?? undefined,
    );
    if (changed.has('open') && changed.get('open') !== undefined) {
      this.dispatchEvent(this.open ? new ChatOpenEvent() : new ChatCloseEvent());
      if (this.open) this.input?.focus();
    }
  }

  protected override render() {
    const inline = this.mode === 'inline';
    return html`
      ${inline ? nothing : this.#renderLauncher()}
      <section
        part="panel"
        ?hidden=${!inline && !this.open}
        role=${inline ? 'region' : 'dialog'}
        lang=${this.#localization.language}
        dir=${this.#localization.dir}
        aria-label=${this.heading || this.#t.heading}
        @keydown=${this.#onPanelKeydown}
      >
        ${this.#renderHeader()} ${this.#renderError()} ${this.#renderHandoff()}
        <div class="log-wrap">
          <div
            part="messages"
            role="log"
            aria-live="off"
            aria-label=${this.#t.messagesLabel}
            tabindex="0"
          >
            <div class="stack">
              ${this.greeting ? this.#renderGreeting() : nothing}
              ${repeat(
                this.#conversation.transcript.messages,
                (message) => message,
                (message, index) =>
                  this.#renderMessage(
                    message,
                    continuesGroup(message, this.#conversation.transcript.messages[index + 1]),
                  ),
              )}
              ${this.#renderTyping()}
            </div>
          </div>
          ${
            this.#scroller.unseen
              ? html`<button
                  type="button"
                  class="new-messages"
                  @click=${() => this.#scroller.toBottom()}
                >
                  ${this.#t.newMessages}
                </button>`
              : nothing
          }
        </div>
        ${this.#renderComposer()}
        <div class="visually-hidden" aria-live="polite">${this.announcement}</div>
      </section>
    `;
  }

  #renderLauncher() {
    const label = this.open
      ? this.#t.closeChat
      : this.unread > 0
        ? format(this.#t, 'openChatUnread', { count: this.unread })
        : this.#t.openChat;
    return html`<button
      part="launcher"
      type="button"
      aria-label=${label}
      aria-expanded=${this.open ? 'true' : 'false'}
      @click=${this.#toggle}
    >
      ${this.open ? closeIcon : chatIcon}
      ${
        this.unread > 0 && !this.open
          ? html`<span part="badge" aria-hidden="true"
              >${this.unread > 9 ? '9+' : this.unread}</span
            >`
          : nothing
      }
    </button>`;
  }

  #renderHeader() {
    const { status, retryAt } = this.#conversation.status;
    const presence = this.#conversation.state.presence;
    return html`<header part="header">
      <div class="title">
        <h2>${this.heading || this.#t.heading}</h2>
        ${this.#renderAgent()}
        <div part="status" data-status=${status} role="status">
          ${this.#statusText(status, retryAt)}
        </div>
        ${
          presence !== undefined
            ? html`<div class="presence">${format(this.#t, 'online', { count: presence })}</div>`
            : nothing
        }
      </div>
      ${
        this.#canEscalate && !this.#conversation.state.handoff.active
          ? html`<button part="escalate-button" type="button" @click=${this.#onEscalate}>
              ${personIcon}${this.#t.talkToHuman}
            </button>`
          : nothing
      }
      ${
        this.mode === 'inline'
          ? nothing
          : html`<button
              class="header-button"
              type="button"
              aria-label=${this.#t.closeChat}
              @click=${this.#close}
            >
              ${closeIcon}
            </button>`
      }
    </header>`;
  }

  /** Who has the chat, while a person does. */
  #renderAgent() {
    const handoff = this.#conversation.state.handoff.detail;
    if (handoff?.state !== 'assigned' || !handoff.agent) return nothing;
    const agent = fromBackend(handoff.agent, this.#imageHostList);
    return html`<span class="agent-chip">
      ${
        agent.avatar
          ? html`<img part="avatar" src=${agent.avatar} alt="" width="20" height="20" />`
          : nothing
      }
      <span>${agent.name}</span>
    </span>`;
  }

  #renderError() {
    const error = this.#conversation.state.error;
    if (!error) return nothing;
    return html`<div part="error" role="alert">
      <p>${error.message}</p>
      <button type="button" @click=${() => this.#conversation.dismissError()}>
        ${this.#t.dismiss}
      </button>
    </div>`;
  }

  #renderHandoff() {
    const handoff = this.#conversation.state.handoff;
    return handoffView(handoff.detail, {
      strings: this.#t,
      imageHosts: this.#imageHostList,
      reason: handoff.reason,
      formOpen: this.leaveFormOpen,
      left: handoff.leftMessage,
      canLeaveMessage: this.#conversation.canLeaveMessage,
      formError: this.leaveError,
      onOpenForm: () => {
        this.leaveFormOpen = true;
      },
      onLeave: (email, message) => {
        // The browser checked the form; this guards a server that would store garbage.
        if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim()) || !message.trim()) {
          this.leaveError = this.#t.leaveInvalid;
          return;
        }
        this.leaveError = undefined;
        if (!this.#conversation.leaveMessage(email.trim(), message.trim())) {
          this.leaveError = this.#t.errorRefused;
        }
      },
    });
  }

  #renderGreeting() {
    return this.#renderMessage({
      id: 'greeting',
      role: 'assistant',
      content: this.greeting,
      state: 'complete',
      createdAt: 0,
    });
  }

  #renderMessage(message: ChatMessage, grouped = false) {
    return messageView(message, {
      grouped,
      strings: this.#t,
      language: this.#localization.language,
      now: this.#clock.now,
      assistant: this.assistantName
        ? {
            name: this.assistantName,
            ...(this.assistantAvatar ? { avatar: this.assistantAvatar } : {}),
          }
        : undefined,
      agentName: this.agentName || undefined,
      imageHosts: this.#imageHostList,
      maxReplyLength: this.maxReplyLength,
      onRetry: (id) => this.#conversation.retry(id),
      canRetryReply: (message) => this.#conversation.canRetry(message),
      onRetryReply: (id) => this.#conversation.retryReply(id),
    });
  }

  #renderTyping() {
    const label = this.#conversation.typingLabel;
    if (!label) return nothing;
    return html`<div part="typing">
      <span class="dots" aria-hidden="true"><span></span><span></span><span></span></span>
      <span>${label}</span>
    </div>`;
  }

  #renderComposer() {
    const notice = this.#conversation.state.notice;
    return html`<form part="composer" @submit=${this.#onSubmit}>
        <textarea
          part="input"
          rows="1"
          aria-label=${this.#t.inputLabel}
          placeholder=${this.placeholder || this.#t.placeholder}
          .value=${this.draft}
          @input=${this.#onInput}
          @keydown=${this.#onInputKeydown}
        ></textarea>
        <button
          part="send-button"
          type="submit"
          aria-label=${this.#t.send}
          ?disabled=${!this.draft.trim()}
        >
          ${sendIcon}
        </button>
      </form>
      ${notice ? html`<p class="notice" role="status">${noticeText(notice, this.#t)}</p>` : nothing}`;
  }

  #statusText(status: string, retryAt: number | undefined): string {
    const s = this.#t;
    switch (status) {
      case 'connected':
        return s.statusConnected;
      case 'reconnecting':
        return retryAt && retryAt > Date.now()
          ? format(s, 'statusReconnectingIn', { seconds: Math.ceil((retryAt - Date.now()) / 1000) })
          : s.statusReconnecting;
      case 'offline':
        return s.statusOffline;
      case 'error':
        return retryAt && retryAt > Date.now()
          ? `${s.statusError} · ${format(s, 'statusReconnectingIn', {
              seconds: Math.ceil((retryAt - Date.now()) / 1000),
            })}`
          : s.statusError;
      default:
        return s.statusConnecting;
    }
  }

  get #canEscalate(): boolean {
    if (this.escalation === 'off') return false;
    return this.#conversation.capabilities?.escalation ?? false;
  }

  get #imageHostList(): string[] {
    return this.imageHosts.split(/\s+/).filter(Boolean);
  }

  readonly #toggle = (): void => {
    this.open = !this.open;
  };

  readonly #close = (): void => {
    this.open = false;
    void this.updateComplete.then(() => this.launcher?.focus());
  };

  readonly #onPanelKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape' && this.mode !== 'inline' && this.open) {
      event.stopPropagation();
      this.#close();
    }
  };

  readonly #onInput = (event: Event): void => {
    this.draft = (event.target as HTMLTextAreaElement).value;
    this.#conversation.dismissNotice();
    if (this.#conversation.capabilities?.typing) this.#typing.keystroke();
  };

  readonly #onInputKeydown = (event: KeyboardEvent): void => {
    // Enter sends; Shift+Enter is a new line; Enter that confirms an IME composition is neither.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.#submitDraft();
    }
  };

  readonly #onSubmit = (event: Event): void => {
    event.preventDefault();
    this.#submitDraft();
  };

  #submitDraft(): void {
    const text = this.draft;
    if (!text.trim()) return;
    const outcome = this.#conversation.send(text);
    // Clear the draft only when the message was taken: a refused one stays editable.
    if (outcome.status === 'refused') return;
    outcome.delivered.catch(() => {
      // The reason is on screen (the message's failed state) and in `chat-error`.
    });
    this.#scroller.toBottom();
    this.draft = '';
    this.#typing.stop();
    // Sent with the button: the visitor goes on typing where they were.
    this.input?.focus();
  }

  readonly #onEscalate = (): void => {
    this.escalate().catch(() => {
      // Shown in the error banner and fired as `chat-error`.
    });
  };
}
