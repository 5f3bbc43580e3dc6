/**
 * The conversation behind one `<chat-widget>`: it owns the connection, the
 * transcript and the outbox, turns backend events into what the user sees, and
 * fires the public events. The element only renders what this holds.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { Connection, type StatusInfo } from '../connection/connection.js';
import { RateLimiter } from '../connection/rate-limit.js';
import { TokenSource } from '../connection/token-source.js';
import {
  ChatErrorEvent,
  ChatEscalateEvent,
  ChatHandoffEvent,
  ChatMessageEvent,
  ChatSendEvent,
  ChatStatusEvent,
  type HandoffDetail,
} from '../events.js';
import type { Strings } from '../i18n/en.js';
import { format } from '../i18n/format.js';
import { HandoffState } from '../conversation/handoff.js';
import { HistoryPager } from '../conversation/history.js';
import { TypingState } from '../conversation/typing.js';
import { createAdapter, isProtocol } from '../protocols/index.js';
import type {
  Capabilities,
  ConnectContext,
  InboundEvent,
  ProtocolAdapter,
} from '../protocols/types.js';
import { forget, load, save, storageKey } from '../transcript/storage.js';
import { Transcript } from '../transcript/transcript.js';
import type {
  Author,
  ChatMessage,
  ConnectionStatus,
  ProtocolName,
  Role,
  TokenProvider,
} from '../types.js';

/** Without a protocol limit or a `max-length`, user messages are capped here. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 4000;
/**
 * A backend counts its per-second limit on arrival, where network jitter can bring two
 * sends closer than they left; a slightly longer window keeps us under it.
 */
const RATE_WINDOW_SLACK_MS = 100;

export interface ConversationConfig {
  protocol: string;
  server: string;
  apiBase?: string;
  token?: string;
  tokenUrl?: string;
  getToken?: TokenProvider;
  userId?: string;
  userName?: string;
  conversationId?: string;
  agentId?: string;
  maxLength?: number;
  /** Tells two widgets on one page apart in storage. */
  scope: string;
}

type Host = ReactiveControllerHost & HTMLElement;

interface Pending {
  resolve(): void;
  reject(reason: Error): void;
}

export class ConversationController implements ReactiveController {
  transcript = new Transcript();
  status: StatusInfo = { status: 'connecting' };
  /** The banner error, shown until dismissed or resolved. */
  error: { code: string; message: string } | undefined;
  /** A note under the composer (too long, queued by the rate limit, offline). */
  notice: string | undefined;
  presence: number | undefined;
  /** Whether the current connection has been started at least once. */
  started = false;

  #connection: Connection | undefined;
  #adapter: ProtocolAdapter | undefined;
  readonly #typing = new TypingState();
  readonly #handoff = new HandoffState();
  readonly #history = new HistoryPager();
  readonly #promises = new Map<string, Pending>();
  #written = new Set<string>();
  #limiter: RateLimiter | undefined;
  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #tickTimer: ReturnType<typeof setInterval> | undefined;
  #frame = 0;
  #key = '';
  #conversationId: string | undefined;
  #visitorId: string | undefined;
  /** A stored chat id the backend no longer knows is dropped once, and a new chat made. */
  #recoveredStaleChat = false;
  #ready = false;
  /** Replies a backend started that have no text yet. */
  readonly #opening = new Map<string, { role?: Role; author?: Author }>();
  /** The status last told to the page in `chat-status`. */
  #announced: ConnectionStatus | undefined;
  /** When the last streamed text arrived: a reply silent for too long is finalized. */
  #lastDeltaAt = 0;

  readonly #config: () => ConversationConfig;
  readonly #strings: () => Strings;

  constructor(
    private readonly host: Host,
    config: () => ConversationConfig,
    strings: () => Strings,
  ) {
    this.#config = config;
    this.#strings = strings;
    host.addController(this);
  }

  hostConnected(): void {
    this.restore();
  }

  hostDisconnected(): void {
    this.stop();
  }

  get capabilities(): Capabilities | undefined {
    return this.#adapter?.capabilities();
  }

  /** The limit a user message must fit. */
  get maxLength(): number {
    return (
      this.#config().maxLength ??
      this.#adapter?.capabilities().maxContentLength ??
      DEFAULT_MAX_MESSAGE_LENGTH
    );
  }

  /** Who is typing, in words; undefined when nobody is. */
  get typingLabel(): string | undefined {
    return this.#typing.label(this.#strings(), !this.#handoff.humanHasChat);
  }

  get handoff(): HandoffDetail | undefined {
    return this.#handoff.detail;
  }

  /** Why nobody can take the chat (`nobody-online`, `outside-hours`), when the server said. */
  get handoffReason(): string | undefined {
    return this.#handoff.reason;
  }

  /** The message left for the team was stored. */
  get leftMessage(): boolean {
    return this.#handoff.leftMessage;
  }

  /** A person is waited for or holds the chat. */
  get handoffActive(): boolean {
    return this.#handoff.active;
  }

  get hasStoredConversation(): boolean {
    return this.transcript.messages.length > 0;
  }

  /** Read the stored transcript for the current configuration. */
  restore(): void {
    const { protocol, server, scope } = this.#config();
    const key = storageKey(protocol, server, scope);
    if (key === this.#key) return;
    this.#key = key;
    const stored = load(key);
    this.transcript = new Transcript(stored?.messages ?? []);
    this.#conversationId = stored?.conversationId;
    this.#visitorId = stored?.userId;
    this.host.requestUpdate();
  }

  start(): void {
    if (this.#connection) return;
    this.restore();
    const config = this.#config();
    this.started = true;
    const failure = this.#validate(config);
    if (failure) {
      this.#setStatus({ status: 'error', code: 'config', reason: failure });
      return;
    }
    const adapter = createAdapter(config.protocol as ProtocolName);
    this.#adapter = adapter;
    adapter.recall?.(this.transcript.messages);
    const rate = adapter.capabilities().rateLimitPerSecond;
    this.#limiter = rate ? new RateLimiter(rate, 1000 + RATE_WINDOW_SLACK_MS) : undefined;
    const context: Omit<ConnectContext, 'token'> = {
      server: config.server,
      apiBase: config.apiBase ?? defaultApiBase(config.server),
      ...(config.userId ? { userId: config.userId } : {}),
      ...(config.userName ? { userName: config.userName } : {}),
      ...((config.conversationId ?? this.#conversationId)
        ? { conversationId: config.conversationId ?? this.#conversationId }
        : {}),
      ...(config.agentId ? { agentId: config.agentId } : {}),
    };
    if (!context.conversationId && config.protocol === 'threads') {
      context.conversationId = crypto.randomUUID();
      this.#conversationId = context.conversationId;
      this.#persist();
    }
    // `events` and `rooms` need a user id; a visitor the page did not name is
    // one anonymous person per tab (the token response may still name them).
    if (!config.userId && (config.protocol === 'events' || config.protocol === 'rooms')) {
      this.#visitorId ??= `visitor-${crypto.randomUUID()}`;
      this.#persist();
    }
    this.#connection = new Connection({
      adapter,
      context,
      ...(this.#visitorId && !config.userId ? { fallback: { userId: this.#visitorId } } : {}),
      tokens: new TokenSource({
        ...(config.token ? { token: config.token } : {}),
        ...(config.tokenUrl ? { tokenUrl: config.tokenUrl } : {}),
        ...(config.getToken ? { getToken: config.getToken } : {}),
      }),
      listener: {
        status: (info) => this.#setStatus(info),
        event: (event) => this.#handle(event),
        opened: () => this.#onOpened(),
        closed: () => this.#onClosed(),
        context: (ctx) => this.#onContext(ctx),
      },
      debug: (message, data) => {
        // Debug level: silent unless the console shows verbose messages.
        console.debug(`[chat-widget] ${message}`, data);
      },
    });
    this.#tickTimer = setInterval(() => this.#tick(), 1000);
    this.#connection.start();
  }

  stop(): void {
    this.#connection?.stop();
    this.#connection = undefined;
    this.#ready = false;
    clearTimeout(this.#flushTimer);
    clearInterval(this.#tickTimer);
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  /** Configuration changed (server, protocol, credentials): start over on the new one. */
  restart(): void {
    // `started` and not `connection`: a start refused for bad configuration must
    // try again when the page fixes it (pages often set `server` from a script
    // that runs after the element upgraded).
    const wasStarted = this.started;
    this.stop();
    this.#key = '';
    this.restore();
    if (this.error?.code === 'config') this.error = undefined;
    if (wasStarted) {
      this.started = false;
      this.start();
    }
  }

  send(text: string): Promise<void> {
    const content = text.trim();
    if (!content) return Promise.reject(new Error('An empty message cannot be sent.'));
    const max = this.maxLength;
    if (content.length > max) {
      const message = format(this.#strings(), 'tooLong', { length: content.length, max });
      this.notice = message;
      this.host.requestUpdate();
      this.#emitError('too-long', message);
      return Promise.reject(new Error(message));
    }
    const event = new ChatSendEvent(content);
    this.host.dispatchEvent(event);
    if (event.defaultPrevented) return Promise.reject(new Error('The page vetoed this message.'));
    this.notice = undefined;
    if (!this.#connection) this.start();
    const message = this.transcript.push({
      id: crypto.randomUUID(),
      role: 'user',
      content,
      state: 'sending',
      createdAt: Date.now(),
    });
    const promise = new Promise<void>((resolve, reject) => {
      this.#promises.set(message.id, { resolve, reject });
    });
    this.#persist();
    this.host.requestUpdate();
    if (!navigator.onLine) this.notice = this.#strings().offlineQueued;
    this.#flush();
    return promise;
  }

  /** Send a failed message again. */
  retry(id: string): void {
    const message = this.transcript.find(id);
    if (!message || message.state !== 'failed') return;
    message.state = 'sending';
    delete message.reason;
    this.#written.delete(id);
    this.host.requestUpdate();
    this.#flush();
  }

  async escalate(reason: string): Promise<void> {
    if (!this.#connection) this.start();
    const adapter = this.#adapter;
    if (!adapter || !adapter.capabilities().escalation) {
      throw new Error('This chat backend cannot reach a human.');
    }
    // Already waiting for (or talking to) a person: asking again must not queue twice.
    if (this.handoffActive) return;
    const frame = adapter.encodeEscalate(reason, this.#connection!.context);
    if (!frame || !this.#connection!.send(frame)) {
      const message = 'Not connected: try again when the chat is connected.';
      this.#emitError('send-failed', message);
      throw new Error(message);
    }
    this.host.dispatchEvent(new ChatEscalateEvent(reason));
  }

  /** The user typed in the composer (sent to backends that show it, debounced by the caller). */
  userTyping(active: boolean): void {
    const frame = this.#adapter?.encodeTyping(active, this.#connection!.context);
    if (frame) this.#connection?.send(frame);
  }

  clear(): void {
    this.transcript.clear();
    for (const pending of this.#promises.values())
      pending.reject(new Error('The chat was cleared.'));
    this.#promises.clear();
    this.#written.clear();
    this.#typing.awaitingReply = false;
    forget(this.#key);
    this.host.requestUpdate();
  }

  dismissError(): void {
    this.error = undefined;
    this.host.requestUpdate();
  }

  /** Load the next older page of history, where the backend has paged history. */
  async loadOlder(): Promise<void> {
    if (!this.#adapter || !this.#connection) return;
    try {
      const older = await this.#history.older(this.#adapter, this.#connection, this.#ready);
      if (!older) return;
      this.transcript.prepend(older);
      this.#persist();
      this.host.requestUpdate();
    } catch (error) {
      this.#emitError('history', `Could not load earlier messages: ${describe(error)}`);
    }
  }

  #validate(config: ConversationConfig): string | undefined {
    const strings = this.#strings();
    if (!isProtocol(config.protocol)) {
      return format(strings, 'errorProtocol', { protocol: config.protocol });
    }
    if (!config.server) return strings.errorNoServer;
    try {
      const url = new URL(config.server);
      if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new Error('scheme');
    } catch {
      return format(strings, 'errorBadServer', { server: config.server });
    }
    return undefined;
  }

  #setStatus(info: StatusInfo): void {
    this.status = info;
    if (info.status === 'connected') {
      if (this.error && ['connection', 'auth', 'token', 'config'].includes(this.error.code)) {
        this.error = undefined;
      }
    } else if (info.reason !== undefined || info.code === 'auth') {
      const message = this.#describeFailure(info);
      if (this.error?.message !== message) {
        this.error = { code: info.code ?? 'connection', message };
        this.#emitError(info.code ?? 'connection', message);
      }
    }
    this.#announce(info.status);
    this.host.requestUpdate();
  }

  /**
   * `chat-status` on every change, the first `connecting` included: the initial
   * status is only a placeholder the page was never told about.
   */
  #announce(status: ConnectionStatus): void {
    if (status === this.#announced) return;
    this.#announced = status;
    this.host.dispatchEvent(new ChatStatusEvent(status));
  }

  #describeFailure(info: StatusInfo): string {
    const strings = this.#strings();
    const reason = info.reason ?? '';
    switch (info.code) {
      case 'token':
        return format(strings, 'errorToken', { reason });
      case 'auth':
        return reason ? format(strings, 'errorAuth', { reason }) : strings.errorRefused;
      case 'config':
        return reason;
      default:
        return reason ? format(strings, 'errorServer', { reason }) : strings.errorRefused;
    }
  }

  #emitError(code: string, message: string): void {
    this.host.dispatchEvent(new ChatErrorEvent(code, message));
  }

  #onOpened(): void {
    this.#written = new Set();
    if (!this.#adapter?.capabilities().greets) this.#onReady();
  }

  #onReady(): void {
    this.#ready = true;
    const connection = this.#connection;
    for (const frame of this.#adapter?.greeted?.(connection!.context) ?? [])
      connection?.send(frame);
    this.#flush();
    if (this.#adapter?.capabilities().history && this.#history.untouched) void this.loadOlder();
  }

  /** Show a reply announced by `stream-start` now that it has something to show. */
  #open(id: string): void {
    const opening = this.#opening.get(id);
    if (!opening) return;
    this.#opening.delete(id);
    this.transcript.reply(id, opening.role, opening.author);
  }

  #onClosed(): void {
    this.#ready = false;
    this.#written = new Set();
    this.#typing.clear();
    this.#opening.clear();
    // A server that resumes continues the reply on the next socket; any other
    // reply will never get its end, so it is finished now and marked.
    if (!this.#adapter?.capabilities().resumes) {
      this.#finishReplies(this.transcript.interruptStreaming());
    }
    this.host.requestUpdate();
  }

  #onContext(ctx: ConnectContext): void {
    if (ctx.conversationId && ctx.conversationId !== this.#conversationId) {
      this.#conversationId = ctx.conversationId;
      this.#persist();
    }
  }

  #handle(event: InboundEvent): void {
    const transcript = this.transcript;
    switch (event.kind) {
      case 'ready':
        if (event.conversationId) this.#conversationId = event.conversationId;
        this.#onReady();
        return;
      case 'ack': {
        const message = event.clientId ? transcript.find(event.clientId) : undefined;
        if (!message || message.role !== 'user') return;
        transcript.alias(message, event.id);
        this.#confirm(message);
        return;
      }
      case 'typing':
        if (event.who) this.#typing.person(event.who.name, event.active);
        else this.#typing.awaitingReply = event.active;
        this.host.requestUpdate();
        return;
      case 'message': {
        if (event.message.author) this.#typing.person(event.message.author.name, false);
        if (event.message.role !== 'user') this.#typing.awaitingReply = false;
        const message = transcript.receive(event.message);
        if (message) this.#complete(message);
        this.host.requestUpdate();
        return;
      }
      case 'stream-start':
        this.#lastDeltaAt = Date.now();
        // Until its first text a reply is "typing…", not an empty bubble beside it.
        if (!transcript.find(event.id)) {
          this.#opening.set(event.id, {
            ...(event.role ? { role: event.role } : {}),
            ...(event.author ? { author: event.author } : {}),
          });
          if ((event.role ?? 'assistant') === 'assistant') this.#typing.awaitingReply = true;
        }
        this.host.requestUpdate();
        return;
      case 'stream-delta': {
        this.#open(event.id);
        if (transcript.append(event.id, event.delta, event.role)) {
          this.#lastDeltaAt = Date.now();
          this.#typing.awaitingReply = false;
          this.#scheduleRender();
        }
        return;
      }
      case 'stream-end': {
        if (event.content !== undefined) this.#open(event.id);
        this.#opening.delete(event.id);
        const message = transcript.end(event.id, event.content, event.finalId);
        if (message && event.interrupted) message.note = 'interrupted';
        this.#typing.awaitingReply = false;
        if (message) this.#complete(message);
        this.host.requestUpdate();
        return;
      }
      case 'update':
        if (transcript.update(event.id, event.content)) this.#changed();
        return;
      case 'delete':
        if (transcript.remove(event.id)) this.#changed();
        return;
      case 'membership':
      case 'system': {
        const text =
          event.kind === 'system'
            ? event.text
            : format(this.#strings(), event.joined ? 'personJoined' : 'personLeft', {
                name: event.name,
              });
        const id = event.kind === 'system' ? event.id : undefined;
        if (!text) return;
        if (id && transcript.find(id)) return;
        const message = transcript.push({
          id: id ?? crypto.randomUUID(),
          role: 'system',
          content: text,
          state: 'complete',
          createdAt: Date.now(),
        });
        this.#complete(message);
        this.host.requestUpdate();
        return;
      }
      case 'error': {
        this.#typing.awaitingReply = false;
        if (event.abortsStream) {
          this.#opening.clear();
          this.#finishReplies(transcript.interruptStreaming());
        }
        // A forgotten chat from storage is replaced without bothering the page.
        if (event.fatal && this.#recoverStaleChat(event.code)) return;
        this.error = { code: event.code, message: event.message };
        this.#emitError(event.code, event.message);
        if (event.fatal) {
          this.stop();
          this.status = { status: 'error', code: event.code, reason: event.message };
          this.#announce('error');
        }
        this.host.requestUpdate();
        return;
      }
      case 'presence':
        this.presence = event.online;
        this.host.requestUpdate();
        return;
      case 'handoff':
        this.#onHandoff(event);
        return;
      case 'left-message':
        this.#handoff.leftMessage = true;
        this.host.requestUpdate();
        return;
      case 'refused':
        this.#onRefused(event.clientId, event.message);
        return;
      case 'cursor':
        // The adapter resumes from it after a drop; a reload syncs the whole conversation
        // instead, since state such as a handoff in progress is not kept in the tab.
        return;
      case 'reconnect':
        this.#connection?.reconnectNow();
        return;
      case 'pong':
        return;
    }
  }

  /**
   * A chat id kept from an earlier visit that the backend has since forgotten
   * (expired, deleted): start a new chat instead of failing for good.
   */
  #recoverStaleChat(code: string): boolean {
    const fromStorage = !this.#config().conversationId && this.#conversationId !== undefined;
    if (code !== 'CHAT_NOT_FOUND' || !fromStorage || this.#recoveredStaleChat) return false;
    this.#recoveredStaleChat = true;
    this.#conversationId = undefined;
    this.#persist();
    this.stop();
    this.error = undefined;
    this.start();
    return true;
  }

  /** How often each message was refused; past the limit it fails with the reason and a Retry. */
  readonly #refusals = new Map<string, number>();

  #onRefused(clientId: string, reason: string): void {
    const message = this.transcript.find(clientId);
    if (!message || message.role !== 'user') return;
    // A message the server stored but could not answer (nobody was connected) is named again
    // after a resume: it goes back to the outbox, and the server answers the resend.
    if (message.state === 'sent') message.state = 'sending';
    if (message.state !== 'sending') return;
    const count = (this.#refusals.get(message.id) ?? 0) + 1;
    this.#refusals.set(message.id, count);
    if (count > 5) {
      this.#refusals.delete(message.id);
      this.#fail(message, reason);
      return;
    }
    // Back into the outbox, sent again after a pause that grows with each refusal.
    this.#written.delete(message.id);
    this.notice = this.#strings().rateLimited;
    clearTimeout(this.#flushTimer);
    this.#flushTimer = setTimeout(() => this.#flush(), Math.min(8000, 500 * 2 ** count));
    this.host.requestUpdate();
  }

  /** Ask the backend to answer again the question an interrupted reply was cut off from. */
  retryReply(id: string): void {
    const frame = this.#adapter?.encodeRetry?.(id, this.#connection!.context);
    if (!frame || !this.#connection?.send(frame)) return;
    // The partial reply stays marked interrupted; its question gets a new reply.
    const message = this.transcript.find(id);
    if (message) message.retried = true;
    this.#typing.awaitingReply = true;
    this.#changed();
  }

  /** Whether this reply can be asked for again (interrupted, not yet retried, backend willing). */
  canRetry(message: ChatMessage): boolean {
    if (message.role !== 'assistant' || message.note !== 'interrupted') return false;
    if (message.retried || !this.#connection?.isOpen) return false;
    return this.#adapter?.capabilities().retries === true;
  }

  /** Nobody could take the chat: a message (and email) for the team. */
  leaveMessage(email: string, message: string): boolean {
    const frame = this.#adapter?.encodeLeaveMessage?.(email, message, this.#connection!.context);
    return frame ? (this.#connection?.send(frame) ?? false) : false;
  }

  get canLeaveMessage(): boolean {
    return this.#adapter?.encodeLeaveMessage !== undefined;
  }

  #onHandoff(event: Extract<InboundEvent, { kind: 'handoff' }>): void {
    const next = this.#handoff.apply(event);
    if (!next) return;
    if (next.state === 'assigned') this.#typing.awaitingReply = false;
    if (next.state === 'ended') {
      const strings = this.#strings();
      this.#complete(
        this.transcript.push({
          id: crypto.randomUUID(),
          role: 'system',
          content: next.agent
            ? format(strings, 'handoffEnded', { name: next.agent.name })
            : strings.handoffEndedNoName,
          state: 'complete',
          createdAt: Date.now(),
        }),
      );
    }
    this.host.dispatchEvent(new ChatHandoffEvent(next));
    this.host.requestUpdate();
  }

  /** Send what the outbox holds, in order, within the backend's rate limit. */
  #flush(): void {
    clearTimeout(this.#flushTimer);
    const connection = this.#connection;
    const adapter = this.#adapter;
    if (!connection || !adapter || !this.#ready || !connection.isOpen) return;
    const capabilities = adapter.capabilities();
    for (const message of this.transcript.pending) {
      if (this.#written.has(message.id)) continue;
      const wait = this.#limiter?.wait(Date.now()) ?? 0;
      if (wait > 0) {
        this.notice = this.#strings().rateLimited;
        this.host.requestUpdate();
        this.#flushTimer = setTimeout(() => this.#flush(), wait);
        return;
      }
      const outgoing = adapter.encodeMessage(message.content, message.id, connection.context);
      this.#limiter?.record(Date.now());
      this.#written.add(message.id);
      // While a person holds the chat the bot stays silent: no "thinking" dots.
      if (capabilities.expectsReply !== false && !this.#handoff.humanHasChat) {
        this.#typing.awaitingReply = true;
      }
      if ('frame' in outgoing) {
        if (!connection.send(outgoing.frame)) {
          this.#written.delete(message.id);
          return;
        }
        if (!capabilities.acks) this.#confirm(message);
      } else {
        connection
          .request(outgoing.http)
          .then((json) => {
            for (const event of adapter.readSendResponse?.(json, message.id) ?? [])
              this.#handle(event);
            if (message.state === 'sending') this.#confirm(message);
          })
          .catch((error: unknown) => this.#fail(message, describe(error)));
      }
    }
    if (
      this.notice === this.#strings().rateLimited ||
      this.notice === this.#strings().offlineQueued
    ) {
      this.notice = undefined;
    }
    this.host.requestUpdate();
  }

  #confirm(message: ChatMessage): void {
    if (message.state !== 'sending') return;
    message.state = 'sent';
    this.#promises.get(message.id)?.resolve();
    this.#promises.delete(message.id);
    this.#complete(message);
    this.host.requestUpdate();
  }

  #fail(message: ChatMessage, reason: string): void {
    message.state = 'failed';
    message.reason = reason;
    this.#typing.awaitingReply = false;
    this.#promises.get(message.id)?.reject(new Error(reason));
    this.#promises.delete(message.id);
    this.#emitError('send-failed', reason);
    this.#persist();
    this.host.requestUpdate();
  }

  /** A message reached its final form: tell the page, keep it for reloads. */
  #complete(message: ChatMessage): void {
    this.host.dispatchEvent(
      new ChatMessageEvent({
        id: message.id,
        role: message.role,
        content: message.content,
        ...(message.author ? { author: message.author } : {}),
      }),
    );
    this.#persist();
  }

  #finishReplies(messages: ChatMessage[]): void {
    for (const message of messages) this.#complete(message);
  }

  #changed(): void {
    this.#persist();
    this.host.requestUpdate();
  }

  /** Streamed text re-renders at most once per frame, however fast tokens arrive. */
  #scheduleRender(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.host.requestUpdate();
    });
  }

  /** Once a second: countdowns, lapsed typing, silent replies. */
  #tick(): void {
    const now = Date.now();
    let dirty = this.status.status === 'reconnecting' || this.status.retryAt !== undefined;
    if (this.#typing.lapse(now)) dirty = true;
    const capabilities = this.#adapter?.capabilities();
    if (capabilities && (this.transcript.streaming.length > 0 || this.#opening.size > 0)) {
      const silent = now - this.#lastDeltaAt;
      if (silent >= capabilities.replySilenceMs) {
        // A reply that never said anything leaves nothing to keep, only the dots to stop.
        if (this.#opening.size > 0) this.#typing.awaitingReply = false;
        this.#opening.clear();
        const note = capabilities.replySilenceMeans === 'interrupted' ? 'interrupted' : null;
        this.#finishReplies(this.transcript.interruptStreaming(note));
        dirty = true;
      }
    }
    if (dirty) this.host.requestUpdate();
  }

  #persist(): void {
    if (!this.#key) return;
    save(this.#key, {
      messages: this.transcript.messages,
      ...(this.#conversationId ? { conversationId: this.#conversationId } : {}),
      ...(this.#visitorId ? { userId: this.#visitorId } : {}),
    });
  }
}

/** `api-base` defaults to the server's origin over HTTP(S). */
export function defaultApiBase(server: string): string {
  try {
    const url = new URL(server);
    url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
    return url.origin;
  } catch {
    return '';
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
