// Every store slice's contract (stores/) on Redis: a real redis-server on a free port, one key
// prefix per test so tests do not see each other's keys. Fails when redis-server is missing.
import { after, before } from 'node:test';
import { createStore } from '../../server/store/index.js';
import { startRedis } from './redis-harness.js';
import { storeSuites } from './stores/index.js';

/** @type {import('./redis-harness.js').TestRedis} */
let redis;
before(async () => {
  redis = await startRedis({ password: 'a test password with spaces & symbols' });
});
after(async () => {
  await redis?.close();
});

let n = 0;
storeSuites('redis', async (t, options = {}) => {
  const store = await createStore({
    ...options,
    redisUrl: redis.url,
    prefix: `t${++n}:`,
    logger: { error() {}, warn() {} },
  });
  t.after(() => store.close());
  return store;
});
