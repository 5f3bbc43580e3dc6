/**
 * Glue between one `<chat-widget>` and its conversation: it runs the session (adapter and
 * connection), feeds what arrives through the inbound reducer, lets the outbox decide what
 * leaves, owns the timers, and turns effects into public events. The rules live in
 * `src/conversation/`; this file only wires them to the host.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { StatusInfo } from '../connection/connection.js';
import { HistoryPager } from '../conversation/history.js';
import {
  DEFAULT_REPLY_TIMEOUT_MS,
  REPLAY_WAIT_MS,
  awaitReply,
  reduce,
  socketClosed,
  tick,
  type Effect,
  type Env,
} from '../conversation/inbound.js';
import { isQueueNotice, noticeText, type Notice } from '../conversation/notice.js';
import { Outbox } from '../conversation/outbox.js';
import {
  Session,
  configProblem,
  fillIdentity,
  type Remembered,
  type SessionConfig,
} from '../conversation/session.js';
import { createState, type ConversationState } from '../conversation/state.js';
import { bannerAfter } from '../conversation/status.js';
import { visitorMessage } from '../conversation/visitor-errors.js';
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
import { baseCapabilities, isProtocol } from '../protocols/index.js';
import type { Capabilities, InboundEvent } from '../protocols/types.js';
import { forget, load, save, storageKey } from '../transcript/storage.js';
import { Transcript } from '../transcript/transcript.js';
import type { ChatMessage, ConnectionStatus } from '../types.js';

/** Without a protocol limit or a `max-length`, user messages are capped here. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 4000;
/**
 * A server whose protocol greets usually does so at once; one that never does (the `stream`
 * authors' own example server) must not keep messages waiting longer than this.
 */
export const GREETING_GRACE_MS = 1000;

export interface ConversationConfig extends SessionConfig {
  maxLength?: number;
  /** Seconds without any part of a reply before it is "No answer yet". */
  replyTimeout?: number;
  /** Tells two widgets on one page apart in storage. */
  scope: string;
}

/** What became of a message handed to `send()`. */
export type SendOutcome =
  /** Written to the backend now (`delivered` settles when the backend has it). */
  | { status: 'accepted'; id: string; delivered: Promise<void> }
  /** In the outbox, going out when the link (or the rate limit, or the current reply) allows. */
  | { status: 'queued'; id: string; delivered: Promise<void> }
  /** Not taken: the draft should stay for the visitor to change. */
  | { status: 'refused'; reason: 'empty' | 'too-long' | 'vetoed'; message: string };

/** The element's hooks: what it shows or announces when the conversation moves. */
export interface ConversationHooks {
  messageCompleted(message: ChatMessage): void;
  statusChanged(status: ConnectionStatus): void;
  handoffChanged(detail: HandoffDetail): void;
}

type Host = ReactiveControllerHost & HTMLElement;

interface Pending {
  resolve(): void;
  reject(reason: Error): void;
}

export class ConversationController implements ReactiveController {
  state: ConversationState = createState();
  status: StatusInfo = { status: 'connecting' };
  /** Whether the current configuration has been started at least once. */
  started = false;

  #session: Session | undefined;
  #outbox = new Outbox();
  #ready = false;
  #history = new HistoryPager();
  readonly #promises = new Map<string, Pending>();
  #remembered: Remembered = { conversationId: undefined, visitorId: undefined };
  /** A stored chat id the backend no longer knows is dropped once, and a new chat made. */
  #recoveredStaleChat = false;
  #key = '';
  /** The status last told to the page in `chat-status`. */
  #announced: ConnectionStatus | undefined;

  #flushTimer: ReturnType<typeof setTimeout> | undefined;
  #greetTimer: ReturnType<typeof setTimeout> | undefined;
  #tickTimer: ReturnType<typeof setInterval> | undefined;
  #frame = 0;

  constructor(
    private readonly host: Host,
    private readonly config: () => ConversationConfig,
    private readonly strings: () => Strings,
    private readonly hooks: ConversationHooks,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.restore();
  }

  hostDisconnected(): void {
    this.stop();
  }

  get transcript(): Transcript {
    return this.state.transcript;
  }

  /** The capabilities of the backend in use, or of its protocol before it is reached. */
  get capabilities(): Capabilities | undefined {
    if (this.#session) return this.#session.capabilities;
    const protocol = this.config().protocol;
    return isProtocol(protocol) ? baseCapabilities[protocol] : undefined;
  }

  /** The limit a user message must fit. */
  get maxLength(): number {
    return (
      this.config().maxLength ?? this.capabilities?.maxContentLength ?? DEFAULT_MAX_MESSAGE_LENGTH
    );
  }

  /** Who is typing, in words; undefined when nobody is. */
  get typingLabel(): string | undefined {
    return this.state.typing.label(this.strings(), !this.state.handoff.humanHasChat);
  }

  get hasStoredConversation(): boolean {
    return this.transcript.messages.length > 0;
  }

  get canLeaveMessage(): boolean {
    return this.#session?.adapter.encodeLeaveMessage !== undefined;
  }

  /** Read the stored transcript for the current configuration. */
  restore(): void {
    const { protocol, server, scope } = this.config();
    const key = storageKey(protocol, server, scope);
    if (key === this.#key) return;
    this.#key = key;
    const stored = load(key);
    this.state = createState(new Transcript(stored?.messages ?? []));
    this.#remembered = { conversationId: stored?.conversationId, visitorId: stored?.userId };
    this.host.requestUpdate();
  }

  start(): void {
    if (this.#session) {
      // Given up (refused too often, or stopped by the server): the page asks to try again.
      if (!this.#session.connection.running) this.#session.start();
      return;
    }
    this.restore();
    const config = this.config();
    this.started = true;
    const problem = configProblem(config, this.strings());
    if (problem) {
      this.state.error = { code: 'config', message: problem };
      this.#setStatus({ status: 'error', code: 'config', reason: problem });
      this.#emitError('config', problem);
      return;
    }
    this.#remembered = fillIdentity(config, this.#remembered);
    this.#persist();
    const session = new Session(config, this.#remembered, {
      status: (info) => this.#setStatus(info),
      event: (event) => this.#receive(event),
      opened: () => this.#onOpened(),
      closed: () => this.#onClosed(),
      context: (ctx) => {
        if (ctx.conversationId && ctx.conversationId !== this.#remembered.conversationId) {
          this.#remembered = { ...this.#remembered, conversationId: ctx.conversationId };
          this.#persist();
        }
      },
    });
    this.#session = session;
    session.adapter.recall?.(this.transcript.messages);
    const capabilities = session.capabilities;
    this.#outbox = new Outbox({
      ratePerSecond: capabilities.rateLimitPerSecond,
      oneReplyAtATime: capabilities.oneReplyAtATime,
    });
    this.#history = new HistoryPager();
    this.#tickTimer = setInterval(() => this.#tick(), 1000);
    session.start();
  }

  stop(): void {
    this.#session?.stop();
    this.#session = undefined;
    this.#ready = false;
    clearTimeout(this.#flushTimer);
    clearTimeout(this.#greetTimer);
    clearInterval(this.#tickTimer);
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  /** Configuration changed (server, protocol, credentials): start over on the new one. */
  restart(): void {
    // `started` and not `session`: a start refused for bad configuration must try again when
    // the page fixes it (pages often set `server` from a script that runs after the upgrade).
    const wasStarted = this.started;
    this.stop();
    this.#key = '';
    this.restore();
    if (wasStarted) {
      this.started = false;
      this.start();
    }
  }

  send(text: string): SendOutcome {
    const content = text.trim();
    const strings = this.strings();
    if (!content)
      return { status: 'refused', reason: 'empty', message: 'An empty message cannot be sent.' };
    const max = this.maxLength;
    if (content.length > max) {
      const notice: Notice = { kind: 'too-long', length: content.length, max };
      this.state.notice = notice;
      this.host.requestUpdate();
      const message = noticeText(notice, strings);
      this.#emitError('too-long', message);
      return { status: 'refused', reason: 'too-long', message };
    }
    const event = new ChatSendEvent(content);
    this.host.dispatchEvent(event);
    if (event.defaultPrevented) {
      return { status: 'refused', reason: 'vetoed', message: 'The page vetoed this message.' };
    }
    if (isQueueNotice(this.state.notice) || this.state.notice?.kind === 'too-long') {
      this.state.notice = undefined;
    }
    if (!this.#session) this.start();
    const message = this.transcript.push({
      id: crypto.randomUUID(),
      role: 'user',
      content,
      state: 'sending',
      createdAt: Date.now(),
    });
    const delivered = new Promise<void>((resolve, reject) => {
      this.#promises.set(message.id, { resolve, reject });
    });
    this.#persist();
    if (!navigator.onLine) this.state.notice = { kind: 'offline-queued' };
    this.#flush();
    this.host.requestUpdate();
    const written = message.state !== 'sending' || this.#outbox.isWritten(message.id);
    return { status: written ? 'accepted' : 'queued', id: message.id, delivered };
  }

  /** Send a failed message again, or ask again a message that got no answer. */
  retry(id: string): void {
    const message = this.transcript.find(id);
    if (!message || message.role !== 'user') return;
    if (message.state === 'failed') {
      message.state = 'sending';
      delete message.reason;
    } else if (message.note === 'no-answer') {
      // A new id: a backend that drops repeated client ids must take this as a new question.
      const previous = message.id;
      this.transcript.reissue(message, crypto.randomUUID());
      this.#outbox.settled(previous);
    } else {
      return;
    }
    this.#outbox.settled(message.id);
    this.#persist();
    this.#flush();
    this.host.requestUpdate();
  }

  async escalate(reason: string): Promise<void> {
    if (!this.#session) this.start();
    const session = this.#session;
    if (!session || !session.capabilities.escalation) {
      throw new Error('This chat backend cannot reach a human.');
    }
    // Already waiting for (or talking to) a person: asking again must not queue twice.
    if (this.state.handoff.active) return;
    if (!session.sendFrame((adapter, ctx) => adapter.encodeEscalate(reason, ctx))) {
      const message = 'Not connected: try again when the chat is connected.';
      this.#emitError('send-failed', message);
      throw new Error(message);
    }
    this.host.dispatchEvent(new ChatEscalateEvent(reason));
  }

  /** The visitor typed in the composer (sent to backends that show it). */
  userTyping(active: boolean): void {
    this.#session?.sendFrame((adapter, ctx) => adapter.encodeTyping(active, ctx));
  }

  clear(): void {
    this.transcript.clear();
    for (const pending of this.#promises.values())
      pending.reject(new Error('The chat was cleared.'));
    this.#promises.clear();
    this.#outbox.clear();
    this.state.typing.awaitingReply = false;
    this.state.owed = undefined;
    this.state.replyInFlight = false;
    forget(this.#key);
    this.host.requestUpdate();
  }

  dismissError(): void {
    this.state.error = undefined;
    this.host.requestUpdate();
  }

  dismissNotice(): void {
    if (!this.state.notice) return;
    this.state.notice = undefined;
    this.host.requestUpdate();
  }

  /** Load the next older page of history, where the backend has paged history. */
  async loadOlder(): Promise<void> {
    const session = this.#session;
    if (!session) return;
    try {
      const older = await this.#history.older(session.adapter, session.connection, this.#ready);
      if (!older || session !== this.#session) return;
      this.transcript.prepend(older);
      this.#persist();
      this.host.requestUpdate();
    } catch (error) {
      const detail = describe(error);
      console.debug('[chat-widget] history', detail);
      this.#emitError('history', visitorMessage('history', this.strings()), detail);
    }
  }

  /** Ask the backend to answer again the question an interrupted reply was cut off from. */
  retryReply(id: string): void {
    const session = this.#session;
    if (!session?.sendFrame((adapter, ctx) => adapter.encodeRetry?.(id, ctx) ?? null)) return;
    // The partial reply stays marked interrupted; its question gets a new reply.
    const message = this.transcript.find(id);
    if (message) message.retried = true;
    this.state.typing.awaitingReply = true;
    this.#persist();
    this.host.requestUpdate();
  }

  /** Whether this reply can be asked for again (interrupted, not yet retried, backend willing). */
  canRetry(message: ChatMessage): boolean {
    if (message.role !== 'assistant' || message.note !== 'interrupted') return false;
    if (message.retried || !this.#session?.connection.isOpen) return false;
    return this.#session.capabilities.retries === true;
  }

  /** Nobody could take the chat: a message (and email) for the team. */
  leaveMessage(email: string, message: string): boolean {
    return (
      this.#session?.sendFrame(
        (adapter, ctx) => adapter.encodeLeaveMessage?.(email, message, ctx) ?? null,
      ) ?? false
    );
  }

  #env(): Env {
    const config = this.config();
    const seconds = config.replyTimeout;
    return {
      now: Date.now(),
      capabilities: this.capabilities ?? baseCapabilities.stream,
      strings: this.strings(),
      canRecoverStaleChat:
        !config.conversationId &&
        this.#remembered.conversationId !== undefined &&
        !this.#recoveredStaleChat,
      replyTimeoutMs:
        seconds !== undefined && seconds > 0 ? seconds * 1000 : DEFAULT_REPLY_TIMEOUT_MS,
    };
  }

  #receive(event: InboundEvent): void {
    const effects = reduce(this.state, event, this.#env());
    this.#apply(effects);
    if (event.kind === 'stream-delta') this.#scheduleRender();
    else this.host.requestUpdate();
  }

  #apply(effects: Effect[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'ready':
          if (effect.conversationId) {
            this.#remembered = { ...this.#remembered, conversationId: effect.conversationId };
          }
          this.#onReady();
          break;
        case 'completed':
          this.#complete(effect.message);
          break;
        case 'confirmed':
          this.#confirm(effect.message);
          break;
        case 'failed':
          this.#fail(effect.message, effect.reason, effect.detail);
          break;
        case 'refused':
          this.#onRefused(effect.message, effect.detail);
          break;
        case 'error':
          console.debug('[chat-widget] server error', effect.error.code, effect.error.detail);
          this.#emitError(effect.error.code, effect.error.message, effect.error.detail);
          if (effect.fatal) {
            this.stop();
            this.#setStatus({ status: 'error', code: effect.error.code });
          }
          break;
        case 'debug':
          console.debug(`[chat-widget] ${effect.message}`);
          break;
        case 'stale-chat':
          this.#recoverStaleChat();
          break;
        case 'handoff':
          this.host.dispatchEvent(new ChatHandoffEvent(effect.detail));
          this.hooks.handoffChanged(effect.detail);
          break;
        case 'reconnect-now':
          this.#session?.connection.reconnectNow();
          break;
        case 'reply-finished':
          this.#flush();
          break;
        case 'persist':
          this.#persist();
          break;
        case 'stream':
          break;
      }
    }
  }

  #setStatus(info: StatusInfo): void {
    this.status = info;
    const before = this.state.error;
    const banner = bannerAfter(info, before, this.strings());
    this.state.error = banner;
    if (banner && banner !== before) {
      if (banner.detail) console.debug('[chat-widget] connection', banner.code, banner.detail);
      this.#emitError(banner.code, banner.message, banner.detail);
    }
    if (info.status !== this.#announced) {
      // Every change is told, the first `connecting` included: the initial status is only a
      // placeholder the page was never told about.
      this.#announced = info.status;
      this.host.dispatchEvent(new ChatStatusEvent(info.status));
      this.hooks.statusChanged(info.status);
    }
    this.host.requestUpdate();
  }

  #emitError(code: string, message: string, detail?: string): void {
    this.host.dispatchEvent(new ChatErrorEvent(code, message, detail));
  }

  #onOpened(): void {
    const capabilities = this.#session?.capabilities;
    if (!capabilities) return;
    // A server that replays the conversation tells us what it already has before we resend.
    if (capabilities.replaysHistory && this.transcript.messages.length > 0) {
      this.state.replayUntil = Date.now() + REPLAY_WAIT_MS;
    }
    if (!capabilities.greets) {
      this.#onReady();
      return;
    }
    // Nothing promises the greeting comes before a client may speak: wait a moment, no longer.
    clearTimeout(this.#greetTimer);
    this.#greetTimer = setTimeout(() => this.#onReady(), GREETING_GRACE_MS);
  }

  #onReady(): void {
    clearTimeout(this.#greetTimer);
    const session = this.#session;
    if (!session?.connection.isOpen) return;
    const first = !this.#ready;
    this.#ready = true;
    // A late greeting (after the grace) still brings what depends on the server's features.
    for (const frame of session.adapter.greeted?.(session.context) ?? [])
      session.connection.send(frame);
    this.#flush();
    if (first && session.capabilities.history && this.#history.untouched) void this.loadOlder();
  }

  #onClosed(): void {
    this.#ready = false;
    clearTimeout(this.#greetTimer);
    this.#outbox.socketClosed();
    const capabilities = this.#session?.capabilities ?? baseCapabilities.stream;
    this.#apply(socketClosed(this.state, capabilities));
    this.host.requestUpdate();
  }

  /**
   * A chat id kept from an earlier visit that the backend has since forgotten (expired,
   * deleted): start a new chat instead of failing for good.
   */
  #recoverStaleChat(): void {
    this.#recoveredStaleChat = true;
    this.#remembered = { ...this.#remembered, conversationId: undefined };
    this.#persist();
    this.stop();
    this.state.error = undefined;
    this.start();
  }

  #onRefused(message: ChatMessage, detail: string): void {
    const verdict = this.#outbox.refused(message.id, Date.now());
    if (verdict.kind === 'fail') {
      this.#fail(message, this.strings().reasonRefused, detail);
      return;
    }
    console.debug('[chat-widget] message refused for now', detail);
    this.state.notice = { kind: 'rate-limited' };
    this.#scheduleFlush(verdict.afterMs);
  }

  /** Send what the outbox lets go, in order. */
  #flush(): void {
    clearTimeout(this.#flushTimer);
    const session = this.#session;
    if (!session) return;
    const connection = session.connection;
    const capabilities = session.capabilities;
    for (;;) {
      const now = Date.now();
      const step = this.#outbox.next(
        this.transcript.pending,
        {
          ready: this.#ready && connection.isOpen,
          replyInFlight: this.state.replyInFlight,
          replaying: now < this.state.replayUntil,
        },
        now,
      );
      if (step.kind === 'idle') break;
      if (step.kind === 'wait') {
        if (step.why === 'rate') this.state.notice = { kind: 'rate-limited' };
        this.#scheduleFlush(step.ms);
        this.host.requestUpdate();
        return;
      }
      if (step.kind === 'hold') {
        if (step.why === 'replay') this.#scheduleFlush(this.state.replayUntil - now);
        return;
      }
      const message = step.message;
      const outgoing = session.adapter.encodeMessage(message.content, message.id, session.context);
      this.#outbox.written(message.id, now);
      // While a person holds the chat the bot stays silent: no "thinking" dots, nothing owed.
      if (capabilities.expectsReply !== false && !this.state.handoff.humanHasChat) {
        awaitReply(this.state, message.id, now);
      }
      if ('frame' in outgoing) {
        if (!connection.send(outgoing.frame)) {
          this.#outbox.unwritten(message.id);
          return;
        }
        if (!capabilities.acks) this.#confirm(message);
      } else {
        connection
          .request(outgoing.http)
          .then((json) => {
            for (const event of session.adapter.readSendResponse?.(json, message.id) ?? []) {
              this.#receive(event);
            }
            if (message.state === 'sending') this.#confirm(message);
          })
          .catch((error: unknown) => {
            if (session !== this.#session) return;
            this.#fail(message, this.strings().reasonRefused, describe(error));
          });
      }
    }
    if (isQueueNotice(this.state.notice)) this.state.notice = undefined;
    this.host.requestUpdate();
  }

  #scheduleFlush(ms: number): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = setTimeout(() => this.#flush(), Math.max(0, ms));
  }

  #confirm(message: ChatMessage): void {
    if (message.state === 'sending') message.state = 'sent';
    this.#outbox.settled(message.id);
    this.#promises.get(message.id)?.resolve();
    this.#promises.delete(message.id);
    this.#complete(message);
    this.host.requestUpdate();
  }

  #fail(message: ChatMessage, reason: string, detail?: string): void {
    message.state = 'failed';
    message.reason = reason;
    this.#outbox.settled(message.id);
    this.state.typing.awaitingReply = false;
    if (this.state.owed?.id === message.id) this.state.owed = undefined;
    this.#promises.get(message.id)?.reject(new Error(detail ?? reason));
    this.#promises.delete(message.id);
    if (detail) console.debug('[chat-widget] message not sent', detail);
    this.#emitError('send-failed', reason, detail);
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
    this.hooks.messageCompleted(message);
    this.#persist();
  }

  /** Streamed text re-renders at most once per frame, however fast tokens arrive. */
  #scheduleRender(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.host.requestUpdate();
    });
  }

  /** Once a second: countdowns, lapsed typing, silent replies, replies that never began. */
  #tick(): void {
    const { effects, changed } = tick(this.state, this.#env());
    this.#apply(effects);
    if (changed || this.status.status === 'reconnecting' || this.status.retryAt !== undefined) {
      this.host.requestUpdate();
    }
  }

  #persist(): void {
    if (!this.#key) return;
    const { conversationId, visitorId } = this.#remembered;
    save(this.#key, {
      messages: this.transcript.messages,
      ...(conversationId ? { conversationId } : {}),
      ...(visitorId ? { userId: visitorId } : {}),
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
