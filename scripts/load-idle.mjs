// Holds many idle, authenticated `stream` sockets against the reference server and prints what
// they cost it. Starts the app in this process on 127.0.0.1 (the clients run in a worker
// thread), and stops by itself.
//
//   node --expose-gc scripts/load-idle.mjs [--connections 1000] [--visitors 10] [--concurrency 100]
import { parseArgs } from 'node:util';
import { DEFAULT_CONNECTIONS, MAX_CONNECTIONS, measureIdleConnections } from './load/idle.js';

const USAGE =
  'usage: node --expose-gc scripts/load-idle.mjs [--connections N] [--visitors N] [--concurrency N]';

let values;
try {
  ({ values } = parseArgs({
    options: {
      connections: { type: 'string', default: String(DEFAULT_CONNECTIONS) },
      visitors: { type: 'string', default: '10' },
      concurrency: { type: 'string', default: '100' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (err) {
  console.error(`${err instanceof Error ? err.message : err}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const connections = integer('connections', values.connections, 1, MAX_CONNECTIONS);
const visitors = integer('visitors', values.visitors, 1, 1000);
const concurrency = integer('concurrency', values.concurrency, 1, 1000);

const result = await measureIdleConnections({
  connections,
  visitors,
  concurrency,
  progress: (line) => console.log(`… ${line}`),
  // The app's own errors still print; a refused connection fails the run on its own.
  appOptions: { logger: console },
}).catch((err) => {
  console.error(`load test failed: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});

const mb = (/** @type {number} */ bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kb = (/** @type {number} */ bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
const { before, after, perConnection } = result;

console.log(`connections held:         ${result.held} of ${result.connections}`);
console.log(`server TCP connections:   ${result.serverSockets}`);
console.log(`opened and greeted in:    ${result.openMs} ms`);
console.log(
  `garbage collection:       ${result.gc === 'forced' ? 'forced before each reading' : 'unavailable: readings include garbage'}`,
);
console.log(`server heap used:         ${mb(before.heapUsed)} -> ${mb(after.heapUsed)}`);
console.log(`server external buffers:  ${mb(before.external)} -> ${mb(after.external)}`);
console.log(`process RSS (+ clients):  ${mb(before.rss)} -> ${mb(after.rss)}`);
console.log(`per idle connection:      ${kb(perConnection.heapUsed)} heap`);
console.log(`                          ${kb(perConnection.heapAndExternal)} heap + external`);
console.log(`                          ${kb(perConnection.rss)} RSS (server and client ends)`);
process.exit(result.held === result.connections ? 0 : 1);

/**
 * @param {string} name
 * @param {string} raw
 * @param {number} min
 * @param {number} max
 */
function integer(name, raw, min, max) {
  const value = Number(raw);
  if (Number.isInteger(value) && value >= min && value <= max) return value;
  console.error(`--${name} must be an integer in ${min}-${max}\n${USAGE}`);
  process.exit(2);
}
