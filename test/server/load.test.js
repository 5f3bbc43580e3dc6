// 1,000 idle `stream` sockets against an in-process app: all held, and bounded memory each.
// The clients run in a worker thread (scripts/load/idle.js), so the heap measured is the server's.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measureIdleConnections } from '../../scripts/load/idle.js';
import { TEST_SECRET, captureLogger } from './helpers.js';

// Measured at about 4 KiB of heap per idle socket (the ws socket, its parser and sender, the
// stream handler's closures). 32 KiB is eight times that: loose enough for GC timing and other
// Node versions, tight enough to catch a socket that keeps a frame buffer (maxPayload is 64 KiB),
// its upgrade request or a growing history. At this bound 10,000 idle widgets cost ~320 MiB.
const MAX_BYTES_PER_CONNECTION = 32 * 1024;
const CONNECTIONS = 1000;

test(
  `${CONNECTIONS} idle authenticated stream sockets are held with bounded memory`,
  { timeout: 50_000 },
  async (t) => {
    const logger = captureLogger();
    const result = await measureIdleConnections({
      connections: CONNECTIONS,
      appOptions: { secret: TEST_SECRET, logger },
    });

    const kib = (/** @type {number} */ bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
    t.diagnostic(
      `${result.held} held; per connection ${kib(result.perConnection.heapUsed)} heap, ` +
        `${kib(result.perConnection.heapAndExternal)} heap + external`,
    );
    assert.equal(result.held, CONNECTIONS, 'every socket opened and was greeted');
    assert.ok(result.serverSockets >= CONNECTIONS, `server holds ${result.serverSockets}`);
    assert.equal(result.gc, 'forced', 'readings without garbage');
    assert.ok(
      result.perConnection.heapAndExternal < MAX_BYTES_PER_CONNECTION,
      `${Math.round(result.perConnection.heapAndExternal)} bytes per idle connection`,
    );
    assert.deepEqual(logger.errors, []);
  },
);
