/**
 * One live link to a backend: token, optional REST preparation, the socket,
 * keep-alive, reconnects. It knows no frames: the adapter translates them, and
 * the listener (the conversation) decides what they mean for the transcript.
 */
import type {
  ConnectContext,
  HttpRequest,
  InboundEvent,
  ProtocolAdapter,
} from '../protocols/types.js';
import type { ConnectionStatus } from '../types.js';
import { MAX_AUTH_REFUSALS, backoffDelay, connectionWorked, nextAttempt } from './backoff.js';
import { TokenError, TokenSource } from './token-source.js';

export const PING_INTERVAL_MS = 30_000;
export const PONG_TIMEOUT_MS = 10_000;
/**
 * After a refused sign-in, a new socket is "connected" only once the server has said something
 * other than a refusal, or has let it stay open this long: a server that refuses after `open`
 * must not make the status flicker to "Connected" before each refusal.
 */
export const PROBATION_MS = 1_500;

export interface StatusInfo {
  status: ConnectionStatus;
  /** When the next attempt starts (ms since epoch), while reconnecting. */
  retryAt?: number;
  /** Why, in words, when something went wrong. */
  reason?: string;
  /** A machine-readable code for `chat-error`. */
  code?: string;
}

export interface ConnectionListener {
  status(info: StatusInfo): void;
  event(event: InboundEvent): void;
  /** The socket opened and may take frames. */
  opened(): void;
  /** The socket is gone (for any reason); replies in flight will not continue on it. */
  closed(): void;
  /** The context learned something worth keeping (a created chat id, a user from the token). */
  context(ctx: ConnectContext): void;
}

export interface ConnectionOptions {
  adapter: ProtocolAdapter;
  context: Omit<ConnectContext, 'token'>;
  tokens: TokenSource;
  listener: ConnectionListener;
  /** Values used when neither the page nor the token response gave them. */
  fallback?: Partial<Pick<ConnectContext, 'userId'>>;
  /** Debug logging for frames the adapter ignored; off unless a page opts in. */
  debug?: (message: string, data?: unknown) => void;
}

export class Connection {
  #socket: WebSocket | undefined;
  #controller: AbortController | undefined;
  #ctx: ConnectContext;
  #attempt = 0;
  /** Sign-ins refused in a row (at the handshake or after `open`). */
  #authRefusals = 0;
  #openedAt = 0;
  #lastFrameAt = 0;
  /** Frames the current socket carried, and whether the server refused the sign-in on it. */
  #frames = 0;
  #refused = false;
  #probation = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;
  #probationTimer: ReturnType<typeof setTimeout> | undefined;
  #running = false;

  constructor(private readonly options: ConnectionOptions) {
    this.#ctx = { ...options.context, token: '' };
  }

  /**
   * What adapters build frames and REST calls from. The token is the newest
   * one held: REST calls (rooms sends, history pages) can come long after the
   * socket opened, when the token it connected with has expired.
   */
  get context(): ConnectContext {
    const token = this.options.tokens.current();
    return token && token !== this.#ctx.token ? { ...this.#ctx, token } : this.#ctx;
  }

  get isOpen(): boolean {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Whether it is connected or trying to be (false once stopped or given up). */
  get running(): boolean {
    return this.#running;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    // A start (the page's `connect()`) is a fresh try, even after giving up on refusals.
    this.#attempt = 0;
    this.#authRefusals = 0;
    this.#controller = new AbortController();
    const { signal } = this.#controller;
    window.addEventListener('online', this.#onOnline, { signal });
    window.addEventListener('offline', this.#onOffline, { signal });
    if (!navigator.onLine) {
      this.options.listener.status({ status: 'offline' });
      return;
    }
    void this.#connect();
  }

  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#controller?.abort();
    this.#controller = undefined;
    this.options.tokens.stop();
    clearTimeout(this.#retryTimer);
    this.#teardownSocket(1000, 'client disconnect');
  }

  /** The server is going away: drop this socket and connect again at once, without backoff. */
  reconnectNow(): void {
    if (!this.#running) return;
    this.#teardownSocket(1000, 'server asked to reconnect');
    this.options.listener.closed();
    this.#attempt = 0;
    void this.#connect();
  }

  /** Sign-ins refused in a row: the conversation words the first refusal differently from later ones. */
  get authRefusals(): number {
    return this.#authRefusals;
  }

  /** Send a frame now; false when there is no open socket. */
  send(frame: string): boolean {
    if (!this.#socket || this.#socket.readyState !== WebSocket.OPEN) return false;
    this.#socket.send(frame);
    return true;
  }

  /** Run a REST call an adapter described; resolves with its JSON (or null for an empty body). */
  async request(http: HttpRequest): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json', ...http.headers };
    if (http.body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(http.url, {
      method: http.method,
      headers,
      ...(http.body !== undefined ? { body: JSON.stringify(http.body) } : {}),
      ...(this.#controller ? { signal: this.#controller.signal } : {}),
    });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!response.ok) {
      const detail = readErrorDetail(json);
      throw new Error(detail ?? `the server answered ${response.status}.`);
    }
    return json;
  }

  async #connect(): Promise<void> {
    clearTimeout(this.#retryTimer);
    const signal = this.#controller?.signal;
    if (!signal || signal.aborted) return;
    this.options.listener.status({ status: this.#attempt === 0 ? 'connecting' : 'reconnecting' });

    try {
      const token = await this.options.tokens.get(signal);
      this.#ctx = { ...this.#ctx, token: token.value };
      const learned = { ...this.options.fallback, ...learnFromToken(this.#ctx, token.response) };
      const prepare = this.options.adapter.prepare(learned);
      if (prepare) {
        const answer = await this.request(prepare.request);
        this.#ctx = { ...learned, ...prepare.read(answer) };
      } else {
        this.#ctx = learned;
      }
      this.options.listener.context(this.#ctx);
    } catch (error) {
      if (signal.aborted) return;
      const reason = error instanceof Error ? error.message : String(error);
      const code = error instanceof TokenError ? 'token' : 'connection';
      this.#scheduleRetry({ reason, code, status: 'error' });
      return;
    }
    if (signal.aborted) return;

    let socket: WebSocket;
    try {
      socket = new WebSocket(this.options.adapter.socketUrl(this.#ctx));
    } catch (error) {
      this.#running = false;
      this.options.listener.status({
        status: 'error',
        code: 'config',
        reason: error instanceof Error ? error.message : String(error),
      });
      return;
    }
    this.options.adapter.reset();
    this.#socket = socket;
    let opened = false;
    socket.binaryType = 'arraybuffer';
    this.#frames = 0;
    this.#refused = false;
    socket.onopen = () => {
      opened = true;
      this.#openedAt = Date.now();
      this.#lastFrameAt = this.#openedAt;
      this.#startHeartbeat();
      // A server that greets, or that just refused us, has not yet accepted this socket: it
      // may still refuse the sign-in in its first frame.
      if (this.#authRefusals > 0 || this.options.adapter.capabilities().greets) {
        this.#probation = true;
        this.#probationTimer = setTimeout(() => this.#endProbation(), PROBATION_MS);
      } else {
        this.options.listener.status({ status: 'connected' });
      }
      for (const frame of this.options.adapter.opened(this.#ctx)) socket.send(frame);
      this.options.listener.opened();
    };
    socket.onmessage = (message: MessageEvent) => {
      this.#lastFrameAt = Date.now();
      this.#frames += 1;
      clearTimeout(this.#pongTimer);
      let events: InboundEvent[];
      try {
        events = this.options.adapter.decode(message.data);
      } catch (error) {
        // Adapters promise not to throw; if one does, one frame is lost, not the widget.
        this.options.debug?.('adapter threw on a frame', error);
        return;
      }
      if (events.length === 0) this.options.debug?.('ignored frame', message.data);
      for (const event of events) {
        // A listener may end this socket (a fatal error): the rest is not for it.
        if (this.#socket !== socket) return;
        if (event.kind === 'auth-refused') {
          this.#refused = true;
          this.#handleClose(1008, event.message, true);
          return;
        }
        this.options.listener.event(event);
      }
      if (this.#socket === socket && events.length > 0) this.#endProbation();
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.#socket !== socket) return;
      this.#handleClose(event.code, event.reason, opened);
    };
  }

  #handleClose(code: number, reason: string, opened: boolean): void {
    const outcome = {
      opened,
      openFor: opened ? Date.now() - this.#openedAt : 0,
      frames: this.#frames,
      refused: this.#refused,
    };
    this.#teardownSocket();
    this.options.listener.closed();
    if (!this.#running) return;
    if (!navigator.onLine) {
      this.options.listener.status({ status: 'offline' });
      return;
    }
    this.#attempt = nextAttempt(this.#attempt, outcome);
    const verdict = outcome.refused
      ? ({ action: 'auth', message: reason } as const)
      : this.options.adapter.interpretClose(code, reason, opened);
    // Only a connection the server let live proves its token good; a later refusal (the token
    // expired meanwhile) is a first one again.
    if (connectionWorked(outcome)) this.#authRefusals = 0;
    if (verdict.action === 'stop') {
      this.#running = false;
      this.options.listener.status({
        status: 'error',
        code: verdict.code ?? 'connection',
        reason: verdict.message ?? (reason || `closed with code ${code}`),
      });
      return;
    }
    if (verdict.action === 'auth') {
      this.#onAuthRefused(verdict.message ?? '');
      return;
    }
    this.#scheduleRetry({
      status: 'reconnecting',
      code: verdict.code ?? 'connection',
      ...(verdict.message ? { reason: verdict.message } : {}),
    });
  }

  /**
   * A refused sign-in: the token may just be stale, so the first refusal gets one immediate
   * try with a new token; a second in a row is an error the visitor is told about, retried
   * with backoff, and given up after MAX_AUTH_REFUSALS until the page reconnects.
   */
  #onAuthRefused(message: string): void {
    this.options.tokens.invalidate();
    this.#authRefusals += 1;
    if (this.#authRefusals === 1) {
      void this.#connect();
      return;
    }
    if (this.#authRefusals >= MAX_AUTH_REFUSALS) {
      this.#running = false;
      this.options.listener.status({ status: 'error', code: 'auth', reason: message });
      return;
    }
    // The refusals count as failed attempts: each waits longer than the last.
    this.#attempt = Math.max(this.#attempt, this.#authRefusals - 1);
    this.#scheduleRetry({ status: 'error', code: 'auth', reason: message });
  }

  #endProbation(): void {
    // Called for every frame: nothing to do once the socket is accepted.
    if (!this.#probation) return;
    clearTimeout(this.#probationTimer);
    this.#probation = false;
    this.options.listener.status({ status: 'connected' });
  }

  #scheduleRetry(info: StatusInfo): void {
    const delay = backoffDelay(this.#attempt);
    this.#attempt += 1;
    const retryAt = Date.now() + delay;
    this.options.listener.status({ ...info, retryAt });
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => void this.#connect(), delay);
  }

  #startHeartbeat(): void {
    clearInterval(this.#pingTimer);
    const ping = this.options.adapter.encodePing();
    if (!ping) return;
    this.#pingTimer = setInterval(() => {
      const sentAt = Date.now();
      if (!this.send(ping)) return;
      clearTimeout(this.#pongTimer);
      this.#pongTimer = setTimeout(() => {
        // Any frame since the ping proves the link alive; silence means a dead
        // socket the browser has not noticed (a sleeping laptop, a lost route).
        if (this.#lastFrameAt < sentAt && this.#socket) this.#handleClose(4000, 'no pong', true);
      }, PONG_TIMEOUT_MS);
    }, PING_INTERVAL_MS);
  }

  #teardownSocket(code?: number, reason?: string): void {
    clearInterval(this.#pingTimer);
    clearTimeout(this.#pongTimer);
    clearTimeout(this.#probationTimer);
    this.#probation = false;
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
      socket.close(code ?? 1000, reason);
    }
  }

  readonly #onOffline = (): void => {
    clearTimeout(this.#retryTimer);
    if (this.#socket) {
      this.#teardownSocket(1000, 'offline');
      this.options.listener.closed();
    }
    this.options.listener.status({ status: 'offline' });
  };

  readonly #onOnline = (): void => {
    if (!this.#running) return;
    this.#attempt = 0;
    if (!this.#socket) void this.#connect();
  };
}

function learnFromToken(
  ctx: ConnectContext,
  response: { user_id?: string; user_name?: string; conversation_id?: string },
): ConnectContext {
  return {
    ...ctx,
    ...(ctx.userId === undefined && response.user_id ? { userId: response.user_id } : {}),
    ...(ctx.userName === undefined && response.user_name ? { userName: response.user_name } : {}),
    ...(ctx.conversationId === undefined && response.conversation_id
      ? { conversationId: response.conversation_id }
      : {}),
  };
}

function readErrorDetail(json: unknown): string | undefined {
  if (json === null || typeof json !== 'object') return undefined;
  const body = json as Record<string, unknown>;
  for (const key of ['message', 'detail', 'error']) {
    if (typeof body[key] === 'string') return body[key];
  }
  return undefined;
}
