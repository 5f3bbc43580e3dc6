// Holding the server with cheap traffic: headers sent a byte at a time, and pings by the
// thousand on one socket.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { Visitor, startApp, wsUrl } from '../server/helpers.js';
import { report } from './harness.js';

test('a request whose headers never end is cut off at headersTimeout', async (t) => {
  const app = await startApp(t, { headersTimeoutMs: 300 });
  const { port } = new URL(app.url);
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
  const started = Date.now();
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk));
  await once(socket, 'close');
  const held = Date.now() - started;
  report(
    t,
    `headers never finished: connection closed after ${held} ms (${answer.split('\r\n')[0] || 'no answer'})`,
  );
  assert.ok(held < 5000, `held ${held} ms`);
  assert.match(answer, /^HTTP\/1\.1 408/);
});

test('the server sets its HTTP timeouts deliberately', async (t) => {
  const app = await startApp(t);
  assert.equal(app.server.headersTimeout, 10_000);
  assert.equal(app.server.requestTimeout, 30_000);
  assert.equal(app.server.keepAliveTimeout, 65_000);
});

test('a flood of pings closes the socket instead of being answered', async (t) => {
  const app = await startApp(t);
  const { body } = await new Visitor(app).fetchToken();
  const ws = new WebSocket(wsUrl(app, body.token));
  await once(ws, 'open');
  let pongs = 0;
  ws.on('message', (data) => {
    if (JSON.parse(String(data)).type === 'pong') pongs += 1;
  });
  const closed = once(ws, 'close');
  const ping = JSON.stringify({ type: 'ping', pad: 'x'.repeat(60 * 1024) });
  let sent = 0;
  for (; sent < 2000 && ws.readyState === WebSocket.OPEN; sent++) ws.send(ping);
  const [code, reason] = await closed;
  report(t, `${sent} pings of 60 KiB written: ${pongs} answered, then closed ${code} ${reason}`);
  assert.equal(code, 1008);
  assert.ok(pongs <= 20, `${pongs} pongs`);
});
