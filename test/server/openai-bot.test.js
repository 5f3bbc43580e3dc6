import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { captureLogger, chat, startApp, types, Visitor } from './helpers.js';

/**
 * @typedef {{ kind: 'reply', deltas: string[] }
 *   | { kind: 'cut-after', deltas: string[] }
 *   | { kind: 'refuse', status: number }} Behaviour
 */

/**
 * A stand-in for an OpenAI-compatible server: `POST /v1/chat/completions` with `stream: true`,
 * answered with server-sent events. Each request takes the next behaviour from the script.
 *
 * @param {import('node:test').TestContext} t
 * @param {Behaviour[]} script
 */
async function fakeOpenAI(t, script) {
  /** @type {{ headers: import('node:http').IncomingHttpHeaders, body: any }[]} */
  const requests = [];
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404).end();
      return;
    }
    requests.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
    const behaviour = script.shift() ?? { kind: 'refuse', status: 500 };

    if (behaviour.kind === 'refuse') {
      res.writeHead(behaviour.status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ error: { message: 'refused by the fake', type: 'invalid_request' } }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const content of behaviour.deltas) {
      const chunk = {
        id: 'chatcmpl-fake',
        object: 'chat.completion.chunk',
        created: 0,
        model: 'fake-model',
        choices: [{ index: 0, delta: { content }, finish_reason: null }],
      };
      await new Promise((resolve) => res.write(`data: ${JSON.stringify(chunk)}\n\n`, resolve));
    }
    if (behaviour.kind === 'cut-after') {
      // The connection dies mid-response: no [DONE], no end of the chunked body.
      res.socket?.destroy();
      return;
    }
    res.end('data: [DONE]\n\n');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  return { baseURL: `http://127.0.0.1:${port}/v1`, requests };
}

/** @param {any[]} frames */
const streamedText = (frames) =>
  frames
    .filter((f) => f.type === 'stream-token')
    .map((f) => f.token)
    .join('');

test('replies stream from an OpenAI-compatible endpoint, with the conversation so far', async (t) => {
  const fake = await fakeOpenAI(t, [
    { kind: 'reply', deltas: ['Hel', 'lo', ' there', '!'] },
    { kind: 'reply', deltas: ['Second', ' answer'] },
  ]);
  const app = await startApp(t, {
    openai: { baseURL: fake.baseURL, apiKey: 'test-key', model: 'fake-model' },
  });
  assert.match(app.bot.description, /fake-model/);
  const { client } = await new Visitor(app).connect();
  await client.next();

  const first = await chat(client, 'first question');
  assert.deepEqual(types(first), [
    'typing',
    'stream-start',
    ...Array(4).fill('stream-token'),
    'stream-end',
  ]);
  assert.equal(streamedText(first), 'Hello there!');

  const second = await chat(client, 'second question');
  assert.equal(streamedText(second), 'Second answer');

  assert.equal(fake.requests.length, 2);
  const [, { body, headers }] = fake.requests;
  assert.equal(headers.authorization, 'Bearer test-key');
  assert.equal(body.model, 'fake-model');
  assert.equal(body.stream, true);
  assert.equal(body.messages[0].role, 'system');
  assert.deepEqual(body.messages.slice(1), [
    { role: 'user', content: 'first question' },
    { role: 'assistant', content: 'Hello there!' },
    { role: 'user', content: 'second question' },
  ]);
});

test('an endpoint failure mid-stream sends "Stream error occurred" and no stream-end', async (t) => {
  const fake = await fakeOpenAI(t, [
    { kind: 'cut-after', deltas: ['Half', ' an'] },
    { kind: 'reply', deltas: ['Fine', ' again'] },
  ]);
  const logger = captureLogger();
  const app = await startApp(t, { openai: { baseURL: fake.baseURL, apiKey: 'k' }, logger });
  const { client } = await new Visitor(app).connect();
  await client.next();

  const frames = await chat(client, 'hello');
  assert.equal(frames.at(-1).type, 'error');
  assert.equal(frames.at(-1).message, 'Stream error occurred');
  assert.deepEqual(types(frames).slice(0, 2), ['typing', 'stream-start']);
  assert.equal(streamedText(frames), 'Half an');
  assert.deepEqual(types(await client.drainWithPing()), ['pong'], 'no stream-end ever follows');
  assert.equal(logger.errors.length, 1, 'the cause is logged');

  // The failed turn is not part of the history the next request sends.
  assert.equal(streamedText(await chat(client, 'again')), 'Fine again');
  assert.deepEqual(fake.requests[1].body.messages.slice(1), [{ role: 'user', content: 'again' }]);
});

test('an endpoint refusing before streaming sends only an error frame', async (t) => {
  const fake = await fakeOpenAI(t, [{ kind: 'refuse', status: 400 }]);
  const logger = captureLogger();
  const app = await startApp(t, { openai: { baseURL: fake.baseURL, apiKey: 'k' }, logger });
  const { client } = await new Visitor(app).connect();
  await client.next();

  const frames = await chat(client, 'hello');
  assert.deepEqual(types(frames), ['typing', 'error']);
  assert.doesNotMatch(frames[1].message, /refused by the fake/, 'no upstream detail leaks out');
  assert.match(String(logger.errors[0]?.[1]), /refused by the fake/);
  assert.deepEqual(types(await client.drainWithPing()), ['pong']);
});
