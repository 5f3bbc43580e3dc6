/**
 * The clients of the idle-connection load test, run in a worker thread so that their objects
 * live in another V8 heap and the server's heap figures are the server's alone.
 *
 * Answers requests `{ id, cmd, args }` from the parent with `{ id, result }` or `{ id, error }`:
 * - `tokens { count }`: fetches `count` tokens from the token endpoint, as `visitors` browsers
 *   (one cookie each, taken in turn), and keeps them for `open`;
 * - `open`: opens one `stream` socket per kept token and waits until each is greeted;
 * - `close`: closes every socket and waits until each has closed.
 *
 * Everything is bounded: at most `concurrency` requests or handshakes at once, and every wait
 * has a deadline, so a server that stops answering fails the run instead of hanging it.
 */
import { request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { WebSocket } from 'ws';

/** @type {{ url: string, visitors: number, concurrency: number, stepTimeoutMs: number }} */
const { url, visitors, concurrency, stepTimeoutMs } = workerData;
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

/** @type {(string | undefined)[]} one cookie per visitor, set by its first token */
const cookies = Array.from({ length: visitors }, () => undefined);
/** @type {string[]} */
let tokens = [];
/** @type {WebSocket[]} */
let sockets = [];

const commands = {
  /** @param {{ count: number }} args */
  async tokens({ count }) {
    // The first token of each visitor sets its cookie, so those go first, one each.
    const first = Math.min(visitors, count);
    const fetched = await inBatches(first, (i) => fetchToken(i));
    fetched.push(...(await inBatches(count - first, (i) => fetchToken((first + i) % visitors))));
    tokens = fetched;
    return { tokens: tokens.length };
  },

  async open() {
    const started = Date.now();
    const opened = await inBatches(tokens.length, (i) =>
      openGreeted(/** @type {string} */ (tokens[i])),
    );
    sockets.push(...opened);
    tokens = [];
    return {
      held: sockets.filter((ws) => ws.readyState === WebSocket.OPEN).length,
      ms: Date.now() - started,
    };
  },

  async close() {
    const closing = sockets.map((ws) =>
      ws.readyState === WebSocket.CLOSED
        ? Promise.resolve()
        : new Promise((resolve) => {
            ws.once('close', resolve);
            ws.close();
          }),
    );
    sockets = [];
    await withDeadline(Promise.all(closing), 'every socket to close');
    return { closed: closing.length };
  },
};

/** @param {{ id: number, cmd: string, args: any }} message */
async function onCommand({ id, cmd, args }) {
  try {
    const command = commands[/** @type {keyof typeof commands} */ (cmd)];
    if (!command) throw new Error(`unknown command ${cmd}`);
    port.postMessage({ id, result: await command(args) });
  } catch (err) {
    port.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
}
// onCommand answers every failure as a message, so nothing is left to catch here.
port.on('message', (message) => void onCommand(message));

/**
 * Runs `task(0…count-1)`, at most `concurrency` at a time, keeping the results in order.
 * @template T
 * @param {number} count
 * @param {(i: number) => Promise<T>} task
 * @returns {Promise<T[]>}
 */
async function inBatches(count, task) {
  /** @type {T[]} */
  const results = [];
  for (let start = 0; start < count; start += concurrency) {
    const size = Math.min(concurrency, count - start);
    const batch = Array.from({ length: size }, (_, j) => task(start + j));
    results.push(...(await withDeadline(Promise.all(batch), `a batch at ${start} of ${count}`)));
  }
  return results;
}

/**
 * A token for visitor `visitor`, without keep-alive: an idle HTTP connection left open would be
 * counted with the sockets under test.
 * @param {number} visitor
 * @returns {Promise<string>}
 */
function fetchToken(visitor) {
  const cookie = cookies[visitor];
  return new Promise((resolve, reject) => {
    const req = request(
      new URL('/api/chat-token', url),
      { method: 'POST', agent: false, headers: cookie ? { cookie } : {} },
      (res) => {
        const chunks = /** @type {Buffer[]} */ ([]);
        res.on('data', (chunk) => chunks.push(chunk));
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`token endpoint answered ${res.statusCode}`));
            return;
          }
          const setCookie = res.headers['set-cookie']?.[0];
          if (setCookie) cookies[visitor] = setCookie.split(';')[0];
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')).token);
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/**
 * Opens a `stream` socket and resolves once its `connection` frame arrived.
 * @param {string} token
 * @returns {Promise<WebSocket>}
 */
function openGreeted(token) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}ws?token=${encodeURIComponent(token)}`);
  return new Promise((resolve, reject) => {
    // Kept after the greeting too: an error event without a listener would end the worker.
    ws.on('error', reject);
    ws.once('close', (code) => reject(new Error(`closed (${code}) before the greeting`)));
    ws.once('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.type === 'connection') resolve(ws);
      else reject(new Error(`the first frame was ${frame.type}, not connection`));
    });
  });
}

/**
 * @template T
 * @param {Promise<T>} promise
 * @param {string} what
 * @returns {Promise<T>}
 */
function withDeadline(promise, what) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), stepTimeoutMs);
  });
  return /** @type {Promise<T>} */ (Promise.race([promise, deadline])).finally(() =>
    clearTimeout(timer),
  );
}
