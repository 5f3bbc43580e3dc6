// `npm run load`: the reference server scaled out. A redis-server and two server processes on
// 127.0.0.1; thousands of idle visitor sockets spread over both (from a worker thread, so the
// clients do not slow the measuring thread); 100 visitors chatting at once, each with one tab on
// each process, answered by an agent whose console and actions are on the other process. Prints
// the connections held, the servers' memory per idle connection, and the latency from a frame
// published on one process to its arrival in a client of the other; fails on a lost or
// duplicated frame, or when a target is missed.
//
//   node scripts/load-redis.mjs [--connections 5000] [--active 100] [--rounds 5] [--spread-ms 1000]
//
// Each round, every chatting visitor sends one message at a random moment within --spread-ms,
// then the agent answers each within the same spread: 100 people chatting at once, at about
// 100 messages a second each way (--spread-ms 1 sends them all in the same instant).
//
// Everything is bounded: every wait has a deadline and the run stops by itself.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { cpus, totalmem } from 'node:os';
import WebSocket from 'ws';
import { createTokenService } from '../server/platform/auth/jwt.js';

const SECRET = 'load-test secret shared by both processes, long enough';
const STEP_TIMEOUT_MS = 60_000;
const TARGETS = { bytesPerIdle: 50 * 1024, p99Ms: 50 };

function options() {
  const args = process.argv.slice(2);
  /** @param {string} name @param {number} fallback */
  const value = (name, fallback) => {
    const at = args.indexOf(`--${name}`);
    const n = at >= 0 ? Number(args[at + 1]) : fallback;
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  return {
    connections: value('connections', 5000),
    active: value('active', 100),
    rounds: value('rounds', 5),
    spreadMs: value('spread-ms', 1000),
  };
}

/** @template T @param {Promise<T>} promise @param {string} what @returns {Promise<T>} */
function within(promise, what, ms = STEP_TIMEOUT_MS) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const guard = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/** @param {number | undefined} pid */
function rssBytes(pid) {
  if (pid === undefined) throw new Error('the server process has no pid');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb * 1024;
}

/** One `stream` socket whose frames are kept, for the measured visitors. */
class Tab {
  /** @param {string} url */
  static async open(url) {
    const ws = new WebSocket(url);
    const tab = new Tab(ws);
    await within(
      new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      }),
      'a socket to open',
    );
    await tab.until((f) => f.type === 'connection');
    tab.send({ type: 'sync' });
    const sync = await tab.until((f) => f.type === 'sync');
    tab.syncSeq = sync.seq;
    return tab;
  }

  /** @param {WebSocket} ws */
  constructor(ws) {
    this.ws = ws;
    /** @type {any[]} */
    this.frames = [];
    this.syncSeq = 0;
    this.closed = false;
    /** @type {Set<(frame: any) => void>} */
    this.listeners = new Set();
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      frame.arrivedAt = performance.now();
      this.frames.push(frame);
      for (const listener of this.listeners) listener(frame);
    });
    ws.on('close', () => {
      this.closed = true;
    });
  }

  /** @param {unknown} frame */
  send(frame) {
    this.ws.send(JSON.stringify(frame));
  }

  /** @param {(frame: any) => boolean} predicate @returns {Promise<any>} */
  until(predicate) {
    const found = this.frames.find(predicate);
    if (found) return Promise.resolve(found);
    return within(
      new Promise((resolve) => {
        const listener = (/** @type {any} */ frame) => {
          if (!predicate(frame)) return;
          this.listeners.delete(listener);
          resolve(frame);
        };
        this.listeners.add(listener);
      }),
      'a frame',
    );
  }
}

/** @param {number[]} values @param {number} p */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function main() {
  const { connections, active, rounds, spreadMs } = options();
  const { startRedis, startServerProcess } = await import('../test/server/redis-harness.js');
  const { hashPassword } = await import('../server/support/agents/passwords.js');
  const tokens = createTokenService({ secret: SECRET });
  const password = 'load test password';
  const hash = await hashPassword(password);

  console.log(
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  const redis = await startRedis({ appendfsync: 'everysec' });
  const env = {
    REDIS_URL: redis.url,
    CHAT_TOKEN_SECRET: SECRET,
    AGENT_ACCOUNTS: `maya:${hash}`,
    // Thousands of visitors from one address: the caps meant for that are not what is measured.
    CHAT_MAX_SOCKETS_PER_ADDRESS: '1000000',
  };
  const servers = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  const [a, b] = /** @type {[any, any]} */ (servers);
  const wsOf = (/** @type {{ url: string }} */ s, /** @type {string} */ token) =>
    `${s.url.replace(/^http/, 'ws')}ws?token=${encodeURIComponent(token)}`;
  /** @type {Worker | undefined} */
  let worker;
  let failed = false;
  try {
    // The agent, on process B: signed in, console open (that is what makes them online).
    const signIn = await fetch(new URL('/agent/api/session', b.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'maya', password }),
    });
    if (signIn.status !== 200) throw new Error(`sign-in answered ${signIn.status}`);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const console_ = new WebSocket(`${b.url.replace(/^http/, 'ws')}agent/ws`, {
      headers: { cookie },
      origin: new URL(b.url).origin,
    });
    await within(new Promise((resolve) => console_.once('open', resolve)), 'the console');
    /** @param {string} path @param {unknown} body */
    const act = (path, body) =>
      fetch(new URL(`/agent/api/${path}`, b.url), {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    // The active visitors: a tab on each process, asking for a person.
    /** @type {{ onA: Tab, onB: Tab, id?: string }[]} */
    const visitors = [];
    for (let i = 0; i < active; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, active - i) }, async (_, j) => {
          const token = await tokens.issue(`load-active-${i + j}`);
          const onA = await Tab.open(wsOf(a, token));
          const onB = await Tab.open(wsOf(b, token));
          return { onA, onB };
        }),
      );
      visitors.push(...batch);
    }
    for (const visitor of visitors) {
      visitor.onA.send({ type: 'human-escalation', reason: 'load test' });
      await visitor.onA.until((f) => f.type === 'handoff');
    }
    const inbox = /** @type {{ waiting: Array<{ id: string }> }} */ (
      await (await fetch(new URL('/agent/api/inbox', b.url), { headers: { cookie } })).json()
    );
    if (inbox.waiting.length !== active) {
      throw new Error(`${inbox.waiting.length} waiting, expected ${active}`);
    }
    const ids = inbox.waiting.map((/** @type {any} */ c) => c.id);
    for (const id of ids) {
      const res = await act(`conversations/${id}/take`, {});
      if (res.status !== 200) throw new Error(`take answered ${res.status}`);
    }
    // Which conversation is whose: the visitor's tab hears `assigned` after the take, and the
    // queue order is the order they asked in.
    visitors.forEach((v, i) => {
      v.id = ids[i];
    });
    await Promise.all(visitors.map((v) => v.onA.until((f) => f.state === 'assigned')));

    // The idle crowd, measured against a baseline taken once everything else is up.
    await new Promise((r) => setTimeout(r, 500));
    const before = servers.map((s) => rssBytes(s.child.pid));
    worker = new Worker(new URL(import.meta.url), {
      workerData: { urls: [wsOf(a, ''), wsOf(b, '')], secret: SECRET, connections },
    });
    const held = await within(
      new Promise((resolve, reject) => {
        worker?.once('message', resolve);
        worker?.once('error', reject);
      }),
      'the idle sockets',
      180_000,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const afterIdle = servers.map((s) => rssBytes(s.child.pid));
    const perIdle = (afterIdle[0] + afterIdle[1] - before[0] - before[1]) / connections;

    // Rounds: every visitor writes on process A within the same second (people type, they do
    // not press Enter in the same millisecond), and their tab on B hears it. The agent answers
    // each on process B, within a second too; the visitor's tab on A hears it.
    const pause = () => new Promise((r) => setTimeout(r, Math.random() * spreadMs));
    /** @type {number[]} */
    const toB = [];
    /** @type {number[]} */
    const toA = [];
    /** @type {string[]} */
    const agentMessageIds = [];
    for (let round = 0; round < rounds; round++) {
      await Promise.all(
        visitors.map(async (v, i) => {
          const clientMessageId = `r${round}-v${i}`;
          await pause();
          const sentAt = performance.now();
          v.onA.send({ type: 'chat', content: `round ${round} from ${i}`, clientMessageId });
          const heard = await v.onB.until(
            (f) => f.type === 'user-message' && f.clientMessageId === clientMessageId,
          );
          toB.push(heard.arrivedAt - sentAt);
          await v.onA.until((f) => f.type === 'ack' && f.clientMessageId === clientMessageId);
        }),
      );
      await Promise.all(
        visitors.map(async (v, i) => {
          await pause();
          const sentAt = performance.now();
          // With an id, as the console sends it (so a retried POST is stored once).
          const res = await act(`conversations/${v.id}/messages`, {
            content: `answer ${round} to ${i}`,
            clientMessageId: `a${round}-v${i}`,
          });
          if (res.status !== 201) throw new Error(`an agent message answered ${res.status}`);
          const { message } = /** @type {{ message: { messageId: string } }} */ (await res.json());
          agentMessageIds.push(message.messageId);
          const heard = await v.onA.until(
            (f) => f.type === 'agent-message' && f.messageId === message.messageId,
          );
          toA.push(heard.arrivedAt - sentAt);
        }),
      );
    }
    await new Promise((r) => setTimeout(r, 500));

    // Nothing lost, nothing twice: every tab's seqs rise one by one from its sync (the tab on A
    // skips only its own messages, sent to the other tabs), each message arrives once.
    let lost = 0;
    let duplicated = 0;
    let gaps = 0;
    for (const [i, v] of visitors.entries()) {
      for (let round = 0; round < rounds; round++) {
        const n = v.onB.frames.filter(
          (f) => f.type === 'user-message' && f.clientMessageId === `r${round}-v${i}`,
        ).length;
        if (n === 0) lost += 1;
        if (n > 1) duplicated += n - 1;
      }
      /** @param {Tab} tab the conversation's frames: `sync` carries a seq, but as a position */
      const seqsOf = (tab) =>
        tab.frames.filter((f) => f.type !== 'sync' && typeof f.seq === 'number').map((f) => f.seq);
      const onB = seqsOf(v.onB);
      onB.forEach((seq, k) => {
        if (seq !== v.onB.syncSeq + k + 1) gaps += 1;
      });
      const onA = seqsOf(v.onA);
      const ownSeqs = new Set(
        v.onB.frames.filter((f) => f.type === 'user-message').map((f) => f.seq),
      );
      const expectedOnA = onB.filter((seq) => !ownSeqs.has(seq) && seq > v.onA.syncSeq);
      if (JSON.stringify(onA.filter((s) => s > v.onA.syncSeq)) !== JSON.stringify(expectedOnA)) {
        gaps += 1;
      }
    }
    for (const id of agentMessageIds) {
      const n = visitors
        .flatMap((v) => v.onA.frames)
        .filter((f) => f.type === 'agent-message' && f.messageId === id).length;
      if (n === 0) lost += 1;
      if (n > 1) duplicated += n - 1;
    }
    const droppedIdle = await new Promise((resolve) => {
      worker?.once('message', resolve);
      worker?.postMessage('count');
    });

    const all = [...toB, ...toA];
    const row = (/** @type {string} */ name, /** @type {number[]} */ xs) =>
      console.log(
        `  ${name.padEnd(34)} n=${String(xs.length).padStart(5)}  p50 ${percentile(xs, 50).toFixed(1)} ms  p99 ${percentile(xs, 99).toFixed(1)} ms  max ${Math.max(...xs).toFixed(1)} ms`,
      );
    console.log(
      `connections held: ${held} idle + ${active * 2} chatting + 1 console, on 2 processes`,
    );
    console.log(
      `server memory (RSS) per idle connection: ${(perIdle / 1024).toFixed(1)} KiB ` +
        `(A ${((afterIdle[0] - before[0]) / 1024 / 1024).toFixed(1)} MiB, B ${((afterIdle[1] - before[1]) / 1024 / 1024).toFixed(1)} MiB for ${connections} sockets)`,
    );
    console.log('cross-process latency, sent on one process → arrived in a client of the other:');
    row('visitor message A → tab on B', toB);
    row('agent message (HTTP on B) → tab on A', toA);
    row('all', all);
    console.log(
      `lost: ${lost}, duplicated: ${duplicated}, out of order or missing seq: ${gaps}, idle sockets dropped: ${droppedIdle}`,
    );
    const p99 = percentile(all, 99);
    const misses = [];
    if (lost + duplicated + gaps > 0 || droppedIdle !== 0)
      misses.push('frames lost, repeated or out of order');
    if (held !== connections) misses.push(`only ${held} of ${connections} idle sockets held`);
    if (perIdle > TARGETS.bytesPerIdle) misses.push(`memory per idle connection over 50 KiB`);
    if (p99 >= TARGETS.p99Ms) misses.push(`p99 ${p99.toFixed(1)} ms, target under 50 ms`);
    if (misses.length > 0) {
      failed = true;
      console.log(`FAIL: ${misses.join('; ')}`);
    } else {
      console.log('OK: nothing lost or duplicated; ≤ 50 KiB per idle connection; p99 < 50 ms');
    }
    console_.close();
    for (const v of visitors) {
      v.onA.ws.close();
      v.onB.ws.close();
    }
  } finally {
    await worker?.terminate();
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    await redis.close();
  }
  process.exit(failed ? 1 : 0);
}

/** The idle crowd: each its own visitor, half on each process, greeted and synced. */
async function idleWorker() {
  const { urls, secret, connections } = workerData;
  const tokens = createTokenService({ secret });
  /** @type {WebSocket[]} */
  const sockets = [];
  let dropped = 0;
  let next = 0;
  const open = async () => {
    while (next < connections) {
      const i = next++;
      const token = await tokens.issue(`load-idle-${i}`);
      const ws = new WebSocket(`${urls[i % 2]}${encodeURIComponent(token)}`);
      await within(
        new Promise((resolve, reject) => {
          ws.once('error', reject);
          ws.on('message', function onMessage(data) {
            const frame = JSON.parse(data.toString());
            if (frame.type === 'connection') ws.send(JSON.stringify({ type: 'sync' }));
            if (frame.type === 'sync') {
              ws.off('message', onMessage);
              resolve(undefined);
            }
          });
        }),
        'an idle socket',
      );
      ws.on('close', () => {
        dropped += 1;
      });
      sockets.push(ws);
    }
  };
  await Promise.all(Array.from({ length: 50 }, open));
  parentPort?.postMessage(sockets.length);
  parentPort?.on('message', () => parentPort?.postMessage(dropped));
}

// Last, so the classes and functions above exist when it runs.
if (isMainThread) await main();
else await idleWorker();
