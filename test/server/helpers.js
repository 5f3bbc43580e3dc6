// Shared by the server tests: start the app on a free port, get tokens like a browser would
// (cookie jar of one), and read a socket's frames in order, waiting on frames, never on time.
import { once } from 'node:events';
import { request } from 'node:http';
import { WebSocket } from 'ws';
import { createApp } from '../../server/app.js';

export const TEST_SECRET = 'test-secret-for-the-server-suite-0123456789';

// Only a guard against a hung test; every wait below ends on an event long before this.
const FRAME_TIMEOUT_MS = 5000;

/**
 * Fails instead of hanging when an awaited event never comes (which is what a regression in
 * abort, heartbeat or refusal handling looks like).
 * @template T
 * @param {Promise<T>} promise
 * @param {string} what
 * @returns {Promise<T>}
 */
export function within(promise, what) {
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), FRAME_TIMEOUT_MS);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** Collects what the app logs, so failures can be asserted instead of printed. */
export function captureLogger() {
  /** @type {unknown[][]} */
  const errors = [];
  return { errors, error: (/** @type {unknown[]} */ ...args) => errors.push(args) };
}

/**
 * @param {import('node:test').TestContext} t
 * @param {import('../../server/app.js').AppOptions} [options]
 */
export async function startApp(t, options = {}) {
  const app = await createApp({
    host: '127.0.0.1',
    port: 0,
    secret: TEST_SECRET,
    demoBotDelayMs: 0,
    logger: captureLogger(),
    ...options,
  });
  t.after(() => app.close());
  return app;
}

/** @param {{ url: string }} app @param {string} [token] */
export function wsUrl(app, token) {
  const base = `${app.url.replace(/^http/, 'ws')}ws`;
  return token === undefined ? base : `${base}?token=${encodeURIComponent(token)}`;
}

/** One browser: keeps the visitor cookie between token requests. */
export class Visitor {
  /** @param {{ url: string }} app */
  constructor(app) {
    this.app = app;
    /** @type {string | undefined} */
    this.cookie = undefined;
  }

  async fetchToken() {
    const res = await fetch(new URL('/api/chat-token', this.app.url), {
      method: 'POST',
      headers: this.cookie ? { cookie: this.cookie } : {},
    });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    return { res, setCookie, body: await res.json() };
  }

  async connect() {
    const { body } = await this.fetchToken();
    const client = await ChatClient.open(wsUrl(this.app, body.token));
    return { client, token: body.token, userId: body.user_id };
  }
}

export class ChatClient {
  /**
   * @param {string} url
   * @param {import('ws').ClientOptions} [options]
   */
  static async open(url, options) {
    const ws = new WebSocket(url, options);
    const client = new ChatClient(ws);
    await within(once(ws, 'open'), 'the socket to open');
    return client;
  }

  /** @param {WebSocket} ws */
  constructor(ws) {
    this.ws = ws;
    /** @type {any[]} */
    this.frames = [];
    this.cursor = 0;
    /** @type {number | undefined} */
    this.closeCode = undefined;
    /** @type {Array<() => void>} */
    this.waiters = [];
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()));
      this.wake();
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  wake() {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** @param {unknown} frame an object to serialize, or a raw string sent as is */
  send(frame) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame not read yet. */
  async next() {
    while (this.cursor >= this.frames.length) {
      if (this.closeCode !== undefined) {
        throw new Error(`socket closed (${this.closeCode}) while a frame was expected`);
      }
      await new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no frame within ${FRAME_TIMEOUT_MS} ms`)),
          FRAME_TIMEOUT_MS,
        );
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve(undefined);
        });
      });
    }
    return this.frames[this.cursor++];
  }

  /**
   * Reads frames up to and including the first that matches.
   * @param {(frame: any) => boolean} predicate
   */
  async readUntil(predicate) {
    const read = [];
    for (;;) {
      const frame = await this.next();
      read.push(frame);
      if (predicate(frame)) return read;
    }
  }

  /** Frames up to the next `pong`: a ping sent now proves the socket is open and idle after it. */
  async drainWithPing() {
    this.send({ type: 'ping', timestamp: new Date().toISOString() });
    return this.readUntil((f) => f.type === 'pong');
  }

  async close() {
    if (this.closeCode !== undefined) return this.closeCode;
    this.ws.close();
    const [code] = await within(once(this.ws, 'close'), 'the socket to close');
    return code;
  }

  async closed() {
    if (this.closeCode !== undefined) return this.closeCode;
    const [code] = await within(once(this.ws, 'close'), 'the server to close the socket');
    return code;
  }
}

/** @param {any[]} frames */
export const types = (frames) => frames.map((f) => f.type);

/**
 * Sends a chat and reads its whole answer (or the error that ends it).
 * @param {ChatClient} client
 * @param {string} content
 * @param {Record<string, unknown>} [extra]
 */
export async function chat(client, content, extra = {}) {
  client.send({ type: 'chat', content, timestamp: new Date().toISOString(), ...extra });
  return client.readUntil((f) => f.type === 'stream-end' || f.type === 'error');
}

/**
 * A GET with the path sent exactly as given: fetch() and URL would normalize `..` away.
 * @param {{ url: string }} app
 * @param {string} path
 * @param {{ method?: string, headers?: Record<string, string> }} [options]
 */
export function rawRequest(app, path, { method = 'GET', headers = {} } = {}) {
  const { hostname, port } = new URL(app.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** A promise with its resolve function outside (Promise.withResolvers is Node 22+). */
export function deferred() {
  /** @type {(value?: any) => void} */
  let resolve = () => {};
  const promise = new Promise((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A socket URL on the app with query parameters (undefined ones left out).
 * @param {{ url: string }} app
 * @param {string} path e.g. `/ws/chat`
 * @param {Record<string, string | undefined>} [query]
 */
export function socketUrl(app, path, query = {}) {
  const url = new URL(path, app.url.replace(/^http/, 'ws'));
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  return url.toString();
}

/**
 * A JSON REST call as the widget makes it: the token in `X-API-Key`.
 * @param {{ url: string }} app
 * @param {string} method
 * @param {string} path
 * @param {{ key?: string, body?: unknown, headers?: Record<string, string> }} [options]
 */
export async function api(app, method, path, { key, body, headers = {} } = {}) {
  const res = await fetch(new URL(path, app.url), {
    method,
    headers: {
      ...(key !== undefined ? { 'X-API-Key': key } : {}),
      ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

/**
 * The status of a refused WebSocket upgrade, or `open` if the socket opened.
 * @param {string} url
 * @param {string} [origin] sent as the Origin header when given
 */
export async function handshake(url, origin) {
  const ws = new WebSocket(url, origin === undefined ? {} : { origin });
  ws.on('error', () => {});
  const outcome = await within(
    Promise.race([
      once(ws, 'open').then(() => 'open'),
      once(ws, 'unexpected-response').then(([req, res]) => {
        res.resume();
        req.destroy();
        return res.statusCode;
      }),
    ]),
    'the handshake',
  );
  ws.terminate();
  return outcome;
}

/**
 * A bot that says `first`, then waits until its reply is aborted; `aborted` resolves then.
 */
export function botAwaitingAbort() {
  const aborted = deferred();
  const bot = {
    description: 'waits',
    /** @param {{ signal: AbortSignal }} input */
    async *reply({ signal }) {
      yield 'first';
      await new Promise((resolve) => signal.addEventListener('abort', resolve));
      aborted.resolve(true);
    },
  };
  return { bot, aborted };
}

/**
 * A bot that notes each question and answers only once `gate` is resolved, with `answer(question)`.
 * @param {(question: string) => string} answer
 */
export function gatedBot(answer) {
  const gate = deferred();
  /** @type {string[]} */
  const asked = [];
  const bot = {
    description: 'gated',
    /** @param {{ history: { content: string }[] }} input */
    async *reply({ history }) {
      const question = history.at(-1)?.content ?? '';
      asked.push(question);
      await gate.promise;
      yield answer(question);
    },
  };
  return { bot, gate, asked };
}
