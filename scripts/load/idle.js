/**
 * Idle-connection load: how much the server holds per open, greeted, silent `stream` socket.
 *
 * The app runs in this thread on 127.0.0.1; the clients run in a worker thread
 * (idle-clients.js). V8 heaps are per thread, so the heap figures are the server's alone; RSS is
 * the whole process's, the clients' thread included, and is reported as such.
 *
 * The baseline is taken after a warm-up round (sockets opened and closed) and after the tokens
 * are fetched, so it already holds the compiled code, the lazily built state and the token
 * endpoint's work: what grows after it is what the held sockets cost.
 */
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { createApp } from '../../server/app.js';

export const DEFAULT_CONNECTIONS = 1000;
// Each connection is two file descriptors in this process (both ends); past this the usual
// descriptor limits are near and the figure would not change anyway.
export const MAX_CONNECTIONS = 10_000;
const WARM_UP_CONNECTIONS = 50;

/**
 * @typedef {object} MemoryFigures
 * @property {number} rss bytes, the whole process
 * @property {number} heapUsed bytes, the server's thread
 * @property {number} external bytes outside the heap (buffers) of the server's thread
 */

/**
 * @typedef {object} IdleLoadResult
 * @property {number} connections asked for
 * @property {number} held open and greeted, as the clients saw them
 * @property {number} serverSockets TCP connections the server had open while they were held
 * @property {number} openMs how long opening them took
 * @property {MemoryFigures} before
 * @property {MemoryFigures} after
 * @property {{ heapUsed: number, heapAndExternal: number, rss: number }} perConnection bytes
 * @property {'forced' | 'unavailable'} gc
 */

/**
 * @param {object} [options]
 * @param {number} [options.connections]
 * @param {number} [options.visitors] how many visitor cookies the tokens are fetched with
 * @param {number} [options.concurrency] handshakes (and token requests) in flight at once
 * @param {number} [options.stepTimeoutMs] the longest any one step may take
 * @param {(line: string) => void} [options.progress]
 * @param {import('../../server/app.js').AppOptions} [options.appOptions]
 * @returns {Promise<IdleLoadResult>}
 */
export async function measureIdleConnections({
  connections = DEFAULT_CONNECTIONS,
  visitors = 10,
  concurrency = 100,
  stepTimeoutMs = 30_000,
  progress = () => {},
  appOptions = {},
} = {}) {
  if (!Number.isInteger(connections) || connections < 1 || connections > MAX_CONNECTIONS) {
    throw new RangeError(`connections must be an integer in 1-${MAX_CONNECTIONS}`);
  }
  const gc = findGc();
  // Every client here is one address and a few visitors: the per-address and per-visitor caps
  // are not what this measures.
  const app = await createApp({
    tokenLimit: 1_000_000,
    newVisitorLimit: 1_000_000,
    maxSocketsPerVisitor: 1_000_000,
    maxSocketsPerAddress: 1_000_000,
    ...appOptions,
    host: '127.0.0.1',
    port: 0,
  });
  const worker = new Worker(new URL('./idle-clients.js', import.meta.url), {
    workerData: { url: app.url, visitors, concurrency, stepTimeoutMs },
  });
  const call = connect(worker);
  try {
    progress(`warming up with ${WARM_UP_CONNECTIONS} connections`);
    await call('tokens', { count: WARM_UP_CONNECTIONS });
    await call('open');
    await call('close');
    progress(`fetching ${connections} tokens as ${visitors} visitors`);
    await call('tokens', { count: connections });
    const before = await settle(gc);

    progress(`opening ${connections} stream sockets, ${concurrency} at a time`);
    const { held, ms } = await call('open');
    const serverSockets = await countConnections(app.server);
    const after = await settle(gc);
    progress('closing');
    await call('close');

    return {
      connections,
      held,
      serverSockets,
      openMs: ms,
      before,
      after,
      perConnection: {
        heapUsed: (after.heapUsed - before.heapUsed) / held,
        heapAndExternal:
          (after.heapUsed + after.external - before.heapUsed - before.external) / held,
        rss: (after.rss - before.rss) / held,
      },
      gc: gc ? 'forced' : 'unavailable',
    };
  } finally {
    await worker.terminate();
    await app.close();
  }
}

/**
 * `gc()` when the process runs with --expose-gc; otherwise the flag is set now and the function
 * taken from a fresh context, which V8 allows once the flag is on. Without any, the figures
 * include garbage not yet collected and say so.
 * @returns {(() => void) | undefined}
 */
function findGc() {
  if (typeof globalThis.gc === 'function') return /** @type {() => void} */ (globalThis.gc);
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc');
    return typeof gc === 'function' ? gc : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Memory once the event loop has quieted and garbage is collected (twice: the first pass can
 * leave objects that only became unreachable through finalizers).
 * @param {(() => void) | undefined} gc
 * @returns {Promise<MemoryFigures>}
 */
async function settle(gc) {
  for (let i = 0; i < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    gc?.();
  }
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, heapUsed, external };
}

/** @param {import('node:http').Server} server @returns {Promise<number>} */
function countConnections(server) {
  return new Promise((resolve, reject) =>
    server.getConnections((err, count) => (err ? reject(err) : resolve(count))),
  );
}

/**
 * Request/response over the worker's messages; a worker that dies fails every waiting call.
 * @param {Worker} worker
 * @returns {(cmd: string, args?: unknown) => Promise<any>}
 */
function connect(worker) {
  let next = 0;
  /** @type {Map<number, { resolve: (v: unknown) => void, reject: (e: Error) => void }>} */
  const waiting = new Map();
  /** @param {Error} err */
  const failAll = (err) => {
    for (const { reject } of waiting.values()) reject(err);
    waiting.clear();
  };
  worker.on('message', ({ id, result, error }) => {
    const call = waiting.get(id);
    waiting.delete(id);
    if (error) call?.reject(new Error(error));
    else call?.resolve(result);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the client worker exited (${code})`)));
  return (cmd, args) =>
    new Promise((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, cmd, args });
    });
}
