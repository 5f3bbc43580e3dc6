import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { markdown } from '../../src/markdown/index.js';
import {
  ApiError,
  api,
  type AgentInfo,
  type ChatSummary,
  type ConsoleMessage,
  type ConversationView,
  type Inbox,
  type LeftMessage,
} from './api.js';
import { clockTime, elapsed } from './format.js';
import { LiveSocket, type LiveStatus } from './live.js';
import { askForNotifications, canAskForNotifications, notify, setTitleCount } from './notify.js';
import { styles } from './styles.js';

/** A message this console sent that the server has not confirmed yet, or refused. */
interface Outgoing {
  conversationId: string;
  clientMessageId: string;
  content: string;
  timestamp: string;
  state: 'sending' | 'failed';
  error?: string;
}

const TYPING_IDLE_MS = 3000;
// A typing flag the server never turned off (a lost frame) fades after this.
const TYPING_TTL_MS = 8000;
const TICK_MS = 15_000;
// Transcripts show no images from anywhere: an agent's browser is not where a model's (or a
// visitor's) image URLs get fetched. They become links, as in the widget without image-hosts.
const MARKDOWN = { imageHosts: [] as string[] };

const STATUS_TEXT: Record<LiveStatus, string> = {
  connecting: 'Connecting…',
  connected: 'Live',
  reconnecting: 'Reconnecting…',
  'signed-out': 'Signed out',
};

/**
 * The agent console: sign-in, a live inbox (waiting chats oldest first, chats held by each
 * agent, chats the assistant handles, left messages), and the chat being answered with its whole
 * transcript, typing both ways, delivery state, and take / hand back / transfer / close.
 * Transcripts go through the widget's markdown module, so they are sanitized the same way.
 */
export class AgentConsole extends LitElement {
  static override styles = styles;

  @state() private phase: 'loading' | 'signed-out' | 'ready' = 'loading';
  @state() private me: AgentInfo | undefined;
  @state() private status: LiveStatus = 'connecting';
  @state() private inbox: Inbox | undefined;
  @state() private selectedId: string | undefined;
  @state() private view: ConversationView | undefined;
  @state() private outgoing: Outgoing[] = [];
  @state() private typers = new Map<string, number>();
  @state() private notice = '';
  @state() private alert = '';
  @state() private busy = false;
  @state() private pane: 'inbox' | 'chat' = 'inbox';
  @state() private signInError = '';
  @state() private askNotifications = false;

  private offset = 0;
  private knownWaiting: Set<string> | undefined;
  private ticker: ReturnType<typeof setInterval> | undefined;
  private typingIn: string | undefined;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;
  private stickToBottom = true;
  private focusChat = false;

  private live = new LiveSocket({
    frame: (frame) => this.onFrame(frame),
    status: (status) => this.onStatus(status),
    opened: () => {
      if (this.selectedId) this.live.send({ type: 'watch', conversationId: this.selectedId });
    },
  });

  override connectedCallback(): void {
    super.connectedCallback();
    this.ticker = setInterval(() => this.tick(), TICK_MS);
    window.addEventListener('hashchange', this.onHash);
    void this.load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.ticker);
    window.removeEventListener('hashchange', this.onHash);
    this.live.stop();
  }

  // --- session ------------------------------------------------------------------------------

  private async load(): Promise<void> {
    try {
      const { agent } = await api.me();
      this.me = agent;
      this.phase = 'ready';
      this.askNotifications = canAskForNotifications();
      this.live.start();
      const fromHash = decodeURIComponent(location.hash.slice(1));
      if (/^[\w-]{1,64}$/.test(fromHash)) this.select(fromHash, { focus: false });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        this.phase = 'signed-out';
      } else {
        this.alert = err instanceof Error ? err.message : String(err);
        setTimeout(() => void this.load(), 5000);
      }
    }
  }

  private async signIn(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    this.busy = true;
    this.signInError = '';
    try {
      await api.signIn(String(data.get('name') ?? ''), String(data.get('password') ?? ''));
      form.reset();
      await this.load();
    } catch (err) {
      this.signInError = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = false;
    }
  }

  private async signOut(): Promise<void> {
    this.stopTyping();
    // Stopped first: the server closes the socket with "session ended", which is no news here.
    this.live.stop();
    try {
      await api.signOut();
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) {
        this.alert = errorText(err);
        this.live.start();
        return;
      }
    }
    this.toSignIn();
    this.signInError = '';
  }

  private toSignIn(): void {
    this.live.stop();
    this.phase = 'signed-out';
    this.me = undefined;
    this.inbox = undefined;
    this.view = undefined;
    this.selectedId = undefined;
    this.knownWaiting = undefined;
    this.outgoing = [];
    setTitleCount(0);
  }

  // --- live updates -------------------------------------------------------------------------

  private onStatus(status: LiveStatus): void {
    this.status = status;
    if (status === 'signed-out') {
      this.toSignIn();
      this.signInError = 'Your session ended. Sign in again.';
    } else if (status === 'reconnecting' && this.live.attempts >= 3) {
      // A refused handshake cannot say why; the API can.
      api.me().catch((err) => {
        if (err instanceof ApiError && err.status === 401) this.toSignIn();
      });
    }
  }

  private onFrame(frame: Record<string, unknown>): void {
    const forSelected = frame.conversationId === this.selectedId;
    switch (frame.type) {
      case 'ready':
        this.me = frame.agent as AgentInfo;
        this.setClock(frame.serverTime);
        return;
      case 'inbox':
        this.onInbox(frame.inbox as Inbox);
        return;
      case 'conversation': {
        const view = frame as unknown as ConversationView;
        if (view.conversation.id !== this.selectedId) return;
        this.view = { conversation: view.conversation, messages: view.messages };
        this.outgoing = this.outgoing.filter(
          (o) => !view.messages.some((m) => m.clientMessageId === o.clientMessageId),
        );
        return;
      }
      case 'conversation-gone':
        if (!forSelected) return;
        this.view = undefined;
        this.alert = 'This chat no longer exists.';
        return;
      case 'conversation-state':
        if (forSelected && this.view) {
          this.view = { ...this.view, conversation: frame.conversation as ChatSummary };
        }
        return;
      case 'message':
        if (forSelected) this.upsert(frame.message as ConsoleMessage);
        return;
      case 'reply-failed':
        if (forSelected && this.view) {
          const id = frame.messageId;
          this.view = {
            ...this.view,
            messages: this.view.messages.map((m) =>
              m.messageId === id ? { ...m, state: undefined, content: `${m.content} …` } : m,
            ),
          };
        }
        return;
      case 'typing': {
        if (!forSelected) return;
        const who = String(frame.who);
        const typers = new Map(this.typers);
        if (frame.active === true) typers.set(who, Date.now() + TYPING_TTL_MS);
        else typers.delete(who);
        this.typers = typers;
        return;
      }
      case 'delivered':
        if (forSelected && this.view && Array.isArray(frame.messageIds)) {
          const ids = new Set(frame.messageIds);
          const at = new Date().toISOString();
          this.view = {
            ...this.view,
            messages: this.view.messages.map((m) =>
              ids.has(m.messageId) && !m.deliveredAt ? { ...m, deliveredAt: at } : m,
            ),
          };
        }
        return;
      case 'transferred': {
        const id = String(frame.conversationId);
        const visitor = this.summaryOf(id)?.visitor ?? 'A visitor';
        this.notice = `${String(frame.from)} passed the chat with ${visitor} to you.`;
        notify(`${visitor} is yours now`, this.notice, id, () => this.select(id));
        return;
      }
      default:
        return;
    }
  }

  private onInbox(inbox: Inbox): void {
    this.setClock(inbox.serverTime);
    const waiting = new Set(inbox.waiting.map((c) => c.id));
    if (this.knownWaiting) {
      const arrived = inbox.waiting.filter((c) => !this.knownWaiting?.has(c.id));
      for (const chat of arrived) {
        this.notice = `${chat.visitor} is waiting for a person.`;
        notify(`${chat.visitor} is waiting`, chat.lastVisitorMessage ?? '', chat.id, () =>
          this.select(chat.id),
        );
      }
    }
    this.knownWaiting = waiting;
    this.inbox = inbox;
    setTitleCount(inbox.waiting.length);
  }

  private setClock(serverTime: unknown): void {
    const time = typeof serverTime === 'string' ? Date.parse(serverTime) : NaN;
    if (!Number.isNaN(time)) this.offset = time - Date.now();
  }

  private tick(): void {
    const now = Date.now();
    const typers = new Map([...this.typers].filter(([, until]) => until > now));
    if (typers.size !== this.typers.size) this.typers = typers;
    this.requestUpdate();
  }

  private upsert(message: ConsoleMessage): void {
    if (!this.view) return;
    const messages = [...this.view.messages];
    const at = messages.findIndex((m) => m.messageId === message.messageId);
    if (at === -1) messages.push(message);
    else messages[at] = { ...messages[at], ...message };
    if (message.state === undefined && at !== -1) delete messages[at]?.state;
    this.view = { ...this.view, messages };
    if (message.clientMessageId) {
      this.outgoing = this.outgoing.filter((o) => o.clientMessageId !== message.clientMessageId);
    }
    // Whoever just wrote has stopped typing.
    const author = message.role === 'user' ? 'visitor' : message.agent?.name;
    if (author && this.typers.has(author)) {
      const typers = new Map(this.typers);
      typers.delete(author);
      this.typers = typers;
    }
  }

  private onHash = (): void => {
    const id = decodeURIComponent(location.hash.slice(1));
    if (id && id !== this.selectedId && /^[\w-]{1,64}$/.test(id)) this.select(id);
  };

  // --- actions ------------------------------------------------------------------------------

  private select(id: string, { focus = true } = {}): void {
    if (id !== this.selectedId) {
      this.stopTyping();
      this.selectedId = id;
      this.view = undefined;
      this.typers = new Map();
      this.stickToBottom = true;
      this.alert = '';
      if (location.hash.slice(1) !== id) history.replaceState(null, '', `#${id}`);
      this.live.send({ type: 'watch', conversationId: id });
      if (this.status !== 'connected') {
        api.conversation(id).then(
          (view) => {
            if (this.selectedId === id && !this.view) this.view = view;
          },
          (err) => {
            if (this.selectedId === id) this.alert = errorText(err);
          },
        );
      }
    }
    this.pane = 'chat';
    this.focusChat = focus;
  }

  private back(): void {
    this.pane = 'inbox';
    void this.updateComplete.then(() => {
      this.renderRoot
        .querySelector<HTMLElement>(`.chat-link[data-id="${this.selectedId}"]`)
        ?.focus();
    });
  }

  private async run(what: () => Promise<unknown>, done?: string): Promise<boolean> {
    this.busy = true;
    this.alert = '';
    try {
      await what();
      if (done) this.notice = done;
      return true;
    } catch (err) {
      this.alert = errorText(err);
      return false;
    } finally {
      this.busy = false;
    }
  }

  private async take(chat: ChatSummary): Promise<void> {
    const ok = await this.run(
      () => api.act(chat.id, 'take'),
      `You took the chat with ${chat.visitor}.`,
    );
    if (ok) {
      this.select(chat.id);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLTextAreaElement>('textarea')?.focus();
    }
  }

  private async handBack(chat: ChatSummary): Promise<void> {
    this.stopTyping();
    await this.run(
      () => api.act(chat.id, 'handback'),
      `The assistant answers ${chat.visitor} again.`,
    );
  }

  private async closeChat(chat: ChatSummary): Promise<void> {
    this.stopTyping();
    await this.run(() => api.act(chat.id, 'close'), `The chat with ${chat.visitor} is closed.`);
  }

  private async transfer(chat: ChatSummary, event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const select = (event.currentTarget as HTMLFormElement).elements.namedItem(
      'agent',
    ) as HTMLSelectElement | null;
    const to = this.inbox?.agents.find((a) => a.id === select?.value);
    if (!to) return;
    this.stopTyping();
    await this.run(
      () => api.transfer(chat.id, to.id),
      `${to.name} has the chat with ${chat.visitor} now.`,
    );
  }

  private async resolve(left: LeftMessage): Promise<void> {
    await this.run(
      () => api.resolveLeftMessage(left.id),
      `The message from ${left.email} is marked done.`,
    );
  }

  private async enableNotifications(): Promise<void> {
    const permission = await askForNotifications();
    this.askNotifications = false;
    this.notice =
      permission === 'granted'
        ? 'Notifications are on: you will hear of new waiting chats while this tab is in the background.'
        : 'Notifications stay off; the tab title still counts waiting chats.';
  }

  private onComposerKey(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    (event.currentTarget as HTMLTextAreaElement).form?.requestSubmit();
  }

  private onComposerInput(): void {
    const id = this.selectedId;
    if (!id) return;
    if (this.typingIn !== id) {
      this.typingIn = id;
      api.typing(id, true).catch(() => {});
    }
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  private stopTyping(): void {
    clearTimeout(this.typingTimer);
    const id = this.typingIn;
    this.typingIn = undefined;
    if (id) api.typing(id, false).catch(() => {});
  }

  private submit(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const field = form.elements.namedItem('message') as HTMLTextAreaElement;
    const content = field.value;
    if (!this.selectedId || content.trim() === '') return;
    field.value = '';
    // The server turns typing off with the message itself.
    clearTimeout(this.typingTimer);
    this.typingIn = undefined;
    const outgoing: Outgoing = {
      conversationId: this.selectedId,
      clientMessageId: crypto.randomUUID(),
      content,
      timestamp: new Date().toISOString(),
      state: 'sending',
    };
    this.outgoing = [...this.outgoing, outgoing];
    this.stickToBottom = true;
    void this.deliver(outgoing);
  }

  private async deliver(outgoing: Outgoing): Promise<void> {
    try {
      const { message } = await api.send(
        outgoing.conversationId,
        outgoing.content,
        outgoing.clientMessageId,
      );
      if (this.selectedId === outgoing.conversationId) this.upsert(message);
      this.outgoing = this.outgoing.filter((o) => o !== outgoing);
    } catch (err) {
      this.outgoing = this.outgoing.map((o) =>
        o === outgoing ? { ...o, state: 'failed', error: errorText(err) } : o,
      );
    }
  }

  private retry(outgoing: Outgoing): void {
    const again: Outgoing = { ...outgoing, state: 'sending' };
    delete again.error;
    this.outgoing = this.outgoing.map((o) => (o === outgoing ? again : o));
    void this.deliver(again);
  }

  // --- rendering ----------------------------------------------------------------------------

  private get now(): number {
    return Date.now() + this.offset;
  }

  private summaryOf(id: string): ChatSummary | undefined {
    const inbox = this.inbox;
    if (!inbox) return undefined;
    return [...inbox.waiting, ...inbox.assigned, ...inbox.bot].find((c) => c.id === id);
  }

  override render(): TemplateResult {
    if (this.phase === 'loading') {
      return html`<main class="placeholder chat"><p>Loading…</p></main>
        ${this.alert ? html`<p class="banner" role="alert">${this.alert}</p>` : nothing}`;
    }
    if (this.phase === 'signed-out' || !this.me) return this.renderSignIn();
    const me = this.me;
    return html`<div class="shell">
        <header class="top">
          <h1>Agent console</h1>
          <span class="pill" data-status=${this.status}>${STATUS_TEXT[this.status]}</span>
          <span class="who">
            ${
              me.avatar
                ? html`<img class="avatar" src=${me.avatar} alt="" width="28" height="28" />`
                : nothing
            }
            <span>Signed in as <strong>${me.name}</strong></span>
          </span>
          ${
            this.askNotifications
              ? html`<button type="button" @click=${this.enableNotifications}>
                  Turn on notifications
                </button>`
              : nothing
          }
          <button type="button" @click=${this.signOut}>Sign out</button>
        </header>
        <div>
          ${
            this.alert
              ? html`<p class="banner" role="alert">
                  ${this.alert}
                  <button type="button" @click=${() => (this.alert = '')}>Dismiss</button>
                </p>`
              : nothing
          }
          ${this.renderAvailability()}
        </div>
        <div class="layout" data-pane=${this.pane}>${this.renderInbox()} ${this.renderChat()}</div>
      </div>
      <div class="visually-hidden" role="status">${this.notice}</div>`;
  }

  override updated(): void {
    const transcript = this.renderRoot.querySelector<HTMLElement>('.transcript');
    if (transcript && this.stickToBottom) transcript.scrollTop = transcript.scrollHeight;
    if (this.focusChat && this.view) {
      this.focusChat = false;
      this.renderRoot.querySelector<HTMLElement>('#chat-title')?.focus();
    }
  }

  private renderSignIn(): TemplateResult {
    return html`<main>
      <form class="sign-in" @submit=${this.signIn} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Agent console</h1>
        <p>Sign in to answer visitors who ask for a person.</p>
        <label>
          Name
          <input name="name" autocomplete="username" required autocapitalize="none" />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        ${this.signInError ? html`<p class="error" role="alert">${this.signInError}</p>` : nothing}
        <button class="primary" type="submit" ?disabled=${this.busy}>Sign in</button>
      </form>
    </main>`;
  }

  private renderAvailability(): TemplateResult | typeof nothing {
    const availability = this.inbox?.availability;
    if (!availability || availability.takingChats) return nothing;
    const text =
      availability.reason === 'outside-hours'
        ? `Outside opening hours (${availability.hours ?? ''}): visitors who ask for a person are offered to leave a message.`
        : 'Nobody is taking chats: visitors who ask for a person are offered to leave a message.';
    return html`<p class="banner">${text}</p>`;
  }

  private renderInbox(): TemplateResult {
    const inbox = this.inbox;
    const meId = this.me?.id;
    const mine = inbox?.assigned.filter((c) => c.agent?.id === meId) ?? [];
    const others = inbox?.assigned.filter((c) => c.agent?.id !== meId) ?? [];
    return html`<nav class="inbox" aria-label="Inbox">
      ${
        inbox
          ? html`
              ${this.section(
                'waiting',
                `Waiting for a person (${inbox.waiting.length})`,
                inbox.waiting,
                'Nobody is waiting.',
                (c) => `waiting ${elapsed(c.queuedAt, this.now)}`,
                true,
              )}
              ${this.section(
                'mine',
                `Your chats (${mine.length})`,
                mine,
                'You hold no chat.',
                (c) => (c.online ? 'visitor here' : 'visitor away'),
              )}
              ${this.section(
                'others',
                `Other agents’ chats (${others.length})`,
                others,
                'No other agent holds a chat.',
                (c) => `with ${c.agent?.name ?? 'someone'}`,
              )}
              ${this.section(
                'bot',
                `With the assistant (${inbox.bot.length})`,
                inbox.bot,
                'No recent chats.',
                (c) => `${c.online ? 'here' : 'away'} · ${elapsed(c.updatedAt, this.now)} ago`,
              )}
              ${this.renderLeftMessages(inbox.leftMessages)}
            `
          : html`<p class="empty">Loading the inbox…</p>`
      }
    </nav>`;
  }

  private section(
    key: string,
    title: string,
    chats: ChatSummary[],
    empty: string,
    meta: (chat: ChatSummary) => string,
    takeable = false,
  ): TemplateResult {
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
                      aria-current=${c.id === this.selectedId ? 'true' : 'false'}
                      @click=${() => this.select(c.id)}
                    >
                      <span class="line">
                        <strong>${c.visitor}</strong>
                        <span class="meta">${meta(c)}</span>
                      </span>
                      <span class="preview"
                        >${
                          c.visitorTyping ? 'typing…' : (c.lastVisitorMessage ?? 'No message yet')
                        }</span
                      >
                    </button>
                    ${
                      takeable
                        ? html`<button
                            type="button"
                            class="take primary"
                            ?disabled=${this.busy}
                            aria-label="Take the chat with ${c.visitor}"
                            @click=${() => this.take(c)}
                          >
                            Take
                          </button>`
                        : nothing
                    }
                  </li>`,
              )}
            </ul>`
      }`;
  }

  private renderLeftMessages(messages: LeftMessage[]): TemplateResult {
    return html`<h2 id="inbox-left">Left messages (${messages.length})</h2>
      ${
        messages.length === 0
          ? html`<p class="empty">No messages left for the team.</p>`
          : html`<ul aria-labelledby="inbox-left">
              ${repeat(
                messages,
                (m) => m.id,
                (m) =>
                  html`<li>
                    <article class="left-message" aria-label="Message from ${m.email}">
                      <span class="line">
                        <a href="mailto:${m.email}">${m.email}</a>
                        <span class="meta">${elapsed(m.createdAt, this.now)} ago</span>
                      </span>
                      <p>${m.message}</p>
                      <div class="actions">
                        <button type="button" @click=${() => this.select(m.conversationId)}>
                          Read the chat
                        </button>
                        <button
                          type="button"
                          ?disabled=${this.busy}
                          @click=${() => this.resolve(m)}
                        >
                          Mark done
                        </button>
                      </div>
                    </article>
                  </li>`,
              )}
            </ul>`
      }`;
  }

  private renderChat(): TemplateResult {
    if (!this.selectedId) {
      return html`<main class="chat placeholder" aria-label="Chat">
        <p>Choose a chat in the inbox. Waiting chats are listed first, oldest at the top.</p>
      </main>`;
    }
    const view = this.view;
    if (!view) {
      return html`<main class="chat placeholder" aria-label="Chat"><p>Loading the chat…</p></main>`;
    }
    const chat = view.conversation;
    const holding = chat.state === 'assigned' && chat.agent?.id === this.me?.id;
    const outgoing = this.outgoing.filter((o) => o.conversationId === chat.id);
    return html`<main class="chat" aria-labelledby="chat-title">
      <div class="chat-header">
        <button type="button" class="back" @click=${this.back}>Back to the inbox</button>
        <h2 id="chat-title" tabindex="-1">${chat.visitor}</h2>
        <span class="state">${this.stateText(chat)}</span>
        ${this.renderActions(chat, holding)}
      </div>
      <div
        class="transcript"
        role="log"
        aria-live="polite"
        aria-label="Conversation with ${chat.visitor}"
        tabindex="0"
        @scroll=${this.onScroll}
      >
        <ol class="messages">
          ${repeat(
            view.messages,
            (m) => m.messageId,
            (m) => this.renderMessage(m, chat),
          )}
          ${repeat(
            outgoing,
            (o) => o.clientMessageId,
            (o) => this.renderOutgoing(o),
          )}
        </ol>
      </div>
      <div class="typing" aria-live="polite">${this.typingText(chat)}</div>
      ${
        holding
          ? html`<form class="composer" @submit=${this.submit}>
              <label for="composer"
                >Reply to ${chat.visitor} (Enter sends, Shift+Enter starts a new line)</label
              >
              <textarea
                id="composer"
                name="message"
                rows="2"
                maxlength="2000"
                @keydown=${this.onComposerKey}
                @input=${this.onComposerInput}
              ></textarea>
              <button class="primary" type="submit">Send</button>
            </form>`
          : html`<p class="hint">${this.hintText(chat)}</p>`
      }
    </main>`;
  }

  private onScroll(event: Event): void {
    const list = event.currentTarget as HTMLElement;
    this.stickToBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
  }

  private renderActions(chat: ChatSummary, holding: boolean): TemplateResult | typeof nothing {
    if (chat.state === 'queued') {
      return html`<button
        type="button"
        class="primary"
        ?disabled=${this.busy}
        @click=${() => this.take(chat)}
      >
        Take this chat
      </button>`;
    }
    if (!holding) return nothing;
    const colleagues = (this.inbox?.agents ?? []).filter((a) => a.online && a.id !== this.me?.id);
    return html`<button type="button" ?disabled=${this.busy} @click=${() => this.handBack(chat)}>
        Hand back to the assistant
      </button>
      <form class="transfer" @submit=${(e: SubmitEvent) => this.transfer(chat, e)}>
        <label for="transfer-to">Transfer to</label>
        <select id="transfer-to" name="agent" ?disabled=${colleagues.length === 0}>
          ${
            colleagues.length === 0
              ? html`<option value="">nobody else is online</option>`
              : colleagues.map((a) => html`<option value=${a.id}>${a.name}</option>`)
          }
        </select>
        <button type="submit" ?disabled=${this.busy || colleagues.length === 0}>Transfer</button>
      </form>
      <button
        type="button"
        class="danger"
        ?disabled=${this.busy}
        @click=${() => this.closeChat(chat)}
      >
        Close chat
      </button>`;
  }

  private stateText(chat: ChatSummary): string {
    const presence = chat.online ? 'visitor here' : 'visitor away';
    switch (chat.state) {
      case 'queued':
        return `Waiting${chat.position ? `, number ${chat.position} in line` : ''}, for ${elapsed(chat.queuedAt, this.now)} · ${presence}`;
      case 'assigned':
        return chat.agent?.id === this.me?.id
          ? `You are answering · ${presence}`
          : `${chat.agent?.name ?? 'Someone'} is answering · ${presence}`;
      case 'closed':
        return `Closed · ${presence}`;
      default:
        return `The assistant is answering · ${presence}`;
    }
  }

  private hintText(chat: ChatSummary): string {
    switch (chat.state) {
      case 'queued':
        return 'Take this chat to answer the visitor.';
      case 'assigned':
        return `${chat.agent?.name ?? 'Another agent'} holds this chat; you can read along.`;
      default:
        return 'The assistant handles this chat. A person can answer once the visitor asks for one.';
    }
  }

  private typingText(chat: ChatSummary): string {
    const now = Date.now();
    const names = [...this.typers]
      .filter(([, until]) => until > now)
      .map(([who]) => (who === 'visitor' ? chat.visitor : who));
    if (names.length === 0) return '';
    return `${names.join(' and ')} ${names.length === 1 ? 'is' : 'are'} typing…`;
  }

  private renderMessage(m: ConsoleMessage, chat: ChatSummary): TemplateResult {
    if (m.role === 'system') {
      return html`<li class="message system">
        <span>${m.content}</span> <time datetime=${m.timestamp}>${clockTime(m.timestamp)}</time>
      </li>`;
    }
    const mine = m.role === 'agent' && m.agent?.id === this.me?.id;
    const author =
      m.role === 'user'
        ? chat.visitor
        : m.role === 'assistant'
          ? 'Assistant'
          : mine
            ? `You (${m.agent?.name ?? ''})`
            : (m.agent?.name ?? 'Agent');
    const streaming = m.state === 'streaming';
    return html`<li class="message ${m.role}" data-id=${m.messageId} data-role=${m.role}>
      <div class="author">
        <strong>${author}</strong>
        <time datetime=${m.timestamp}>${streaming ? 'writing…' : clockTime(m.timestamp)}</time>
      </div>
      ${
        m.role === 'user'
          ? html`<p class="plain">${m.content}</p>`
          : html`<div class="content" ${markdown(m.content, { ...MARKDOWN, streaming })}></div>`
      }
      ${
        mine
          ? html`<div class="delivery" data-state=${m.deliveredAt ? 'delivered' : 'sent'}>
              ${
                m.deliveredAt
                  ? 'Delivered'
                  : 'Sent; the visitor’s chat is not open, they will see it when they come back'
              }
            </div>`
          : nothing
      }
    </li>`;
  }

  private renderOutgoing(o: Outgoing): TemplateResult {
    return html`<li class="message agent" data-state=${o.state}>
      <div class="author">
        <strong>You (${this.me?.name ?? ''})</strong>
        <time datetime=${o.timestamp}>${clockTime(o.timestamp)}</time>
      </div>
      <div class="content" ${markdown(o.content, { ...MARKDOWN, streaming: false })}></div>
      <div class="delivery" data-state=${o.state}>
        ${
          o.state === 'sending'
            ? 'Sending…'
            : html`Not sent: ${o.error}
                <button type="button" @click=${() => this.retry(o)}>Try again</button>`
        }
      </div>
    </li>`;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
