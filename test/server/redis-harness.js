// A real redis-server for the tests, on a free port of 127.0.0.1 in a temporary directory, with
// its append-only file on (as production should run it), and the reference server's processes
// pointed at it. Missing redis-server is a failure, not a skip: CI installs it (apt redis-server).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The redis-server binary, or an error that says how to get one. */
export function findRedisServer() {
  const fromEnv = process.env.REDIS_SERVER_BIN;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const onPath = which.stdout.trim();
  if (which.status === 0 && onPath) return onPath;
  if (existsSync('/usr/bin/redis-server')) return '/usr/bin/redis-server';
  throw new Error(
    'redis-server is not installed: the Redis tests need it (apt-get install redis-server, or ' +
      'set REDIS_SERVER_BIN). They fail rather than skip so CI cannot pass without them.',
  );
}

export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Sends commands and collects the answer until it contains `expect`, for waiting on a Redis
 * without a client (and without depending on the code under test).
 * @param {number} port
 * @param {string[][]} commands
 * @param {string} expect
 * @returns {Promise<boolean>}
 */
export function rawCommands(port, commands, expect) {
  const encode = (/** @type {string[]} */ args) =>
    `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const done = (/** @type {boolean} */ value) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(commands.map(encode).join('')));
    socket.on('data', (chunk) => {
      answer += chunk.toString();
      if (answer.includes(expect)) done(true);
      else if (answer.startsWith('-')) done(false);
    });
  });
}

/**
 * @param {{ password?: string, appendfsync?: 'always' | 'everysec' }} [options] `always` (the
 *   tests: a SIGKILLed Redis loses nothing) or `everysec` (Redis's default: the load test, where
 *   an fsync per write would measure the disk)
 */
export async function startRedis({ password, appendfsync = 'always' } = {}) {
  const bin = findRedisServer();
  const dir = mkdtempSync(join(tmpdir(), 'cw-redis-'));
  const port = await freePort();
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  let log = '';

  async function start() {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir];
    args.push('--save', '', '--appendonly', 'yes', '--appendfsync', appendfsync);
    if (password) args.push('--requirepass', password);
    child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d) => (log = (log + d).slice(-4000)));
    child.stderr?.on('data', (d) => (log = (log + d).slice(-4000)));
    const commands = password ? [['AUTH', password], ['PING']] : [['PING']];
    for (let i = 0; i < 100; i++) {
      if (await rawCommands(port, commands, '+PONG')) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not start on ${port}:\n${log}`);
  }

  /** @param {NodeJS.Signals} signal */
  async function stop(signal = 'SIGTERM') {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill(signal);
    await exited;
  }

  await start();
  const auth = password ? `:${encodeURIComponent(password)}@` : '';
  return {
    port,
    dir,
    url: `redis://${auth}127.0.0.1:${port}`,
    start,
    stop,
    /** A clean restart: SIGTERM (the append-only file is flushed), then start on the same port. */
    async restart() {
      await stop('SIGTERM');
      await start();
    },
    async close() {
      await stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
    get log() {
      return log;
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof startRedis>>} TestRedis */

/**
 * One reference-server process (`node server/main.js`) on a free port of 127.0.0.1.
 * @param {Record<string, string>} env
 */
export async function startServerProcess(env) {
  const port = await freePort();
  const child = spawn(process.execPath, [join(REPO, 'server', 'main.js')], {
    cwd: REPO,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DEMO_BOT_DELAY_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output = (output + d).slice(-20000)));
  child.stderr?.on('data', (d) => (output = (output + d).slice(-20000)));
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) break;
    try {
      const res = await fetch(new URL('/readyz', url));
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output}`);
  return {
    url,
    port,
    child,
    get output() {
      return output;
    },
    /** @param {NodeJS.Signals} [signal] */
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill(signal);
      await exited;
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof startServerProcess>>} ServerProcess */
