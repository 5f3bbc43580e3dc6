/**
 * The console's live socket (`/agent/ws`): reconnects with the widget's backoff (exponential,
 * full jitter: src/connection/backoff.ts), pings every 25 s so idle proxies keep it open, and
 * reports a close with 4001 (the session ended) as signed out rather than retrying. Frames reach
 * the console decoded (decode.ts); anything else is dropped here.
 */
import { backoffDelay } from '../../src/connection/backoff.js';
import { decodeFrame } from './decode.js';
import type { ServerEvent } from './model.js';

export type LiveStatus = 'connecting' | 'connected' | 'reconnecting' | 'signed-out';

export interface LiveHandlers {
  event(event: ServerEvent): void;
  status(status: LiveStatus): void;
  /** Just (re)connected: send what the server must know again (the chat being watched). */
  opened(): void;
}

const PING_MS = 25_000;

export class LiveSocket {
  #ws: WebSocket | undefined;
  #handlers: LiveHandlers;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #ping: ReturnType<typeof setInterval> | undefined;
  #stopped = false;

  constructor(handlers: LiveHandlers) {
    this.#handlers = handlers;
  }

  start(): void {
    this.#stopped = false;
    this.#open();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#retry);
    clearInterval(this.#ping);
    this.#ws?.close();
    this.#ws = undefined;
  }

  send(frame: Record<string, unknown>): void {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(frame));
  }

  #open(): void {
    const url = new URL('/agent/ws', location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.#handlers.status(this.#attempt === 0 ? 'connecting' : 'reconnecting');
    const ws = new WebSocket(url);
    this.#ws = ws;
    ws.addEventListener('open', () => {
      this.#attempt = 0;
      this.#handlers.status('connected');
      this.#handlers.opened();
      clearInterval(this.#ping);
      this.#ping = setInterval(() => this.send({ type: 'ping' }), PING_MS);
    });
    ws.addEventListener('message', (message) => {
      const event = decodeFrame(message.data);
      if (event) this.#handlers.event(event);
    });
    ws.addEventListener('close', (event) => {
      clearInterval(this.#ping);
      if (this.#ws !== ws || this.#stopped) return;
      this.#ws = undefined;
      if (event.code === 4001) {
        this.#handlers.status('signed-out');
        return;
      }
      // A refused handshake (an expired session) looks like any other failure to a browser;
      // the console asks the API who it is after a few of them.
      const delay = backoffDelay(this.#attempt);
      this.#attempt += 1;
      this.#handlers.status('reconnecting');
      this.#retry = setTimeout(() => this.#open(), delay);
    });
  }

  get attempts(): number {
    return this.#attempt;
  }
}
