import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readConfig } from '../../server/config.js';

test('defaults: port 8787, demo bot at 35 ms, random secret with a warning', () => {
  const { options, warnings } = readConfig({});
  assert.equal(options.port, 8787);
  assert.equal(options.host, undefined);
  assert.equal(options.demoBotDelayMs, 35);
  assert.equal(options.secret, undefined);
  assert.equal(options.openai, undefined);
  assert.ok(warnings.some((w) => w.includes('CHAT_TOKEN_SECRET')));
});

test('environment values are read, and bad numbers fall back with a warning', () => {
  const { options, warnings } = readConfig({
    PORT: '9000',
    HOST: '127.0.0.1',
    CHAT_TOKEN_SECRET: 'x'.repeat(40),
    DEMO_BOT_DELAY_MS: 'fast',
  });
  assert.equal(options.port, 9000);
  assert.equal(options.host, '127.0.0.1');
  assert.equal(options.secret, 'x'.repeat(40));
  assert.equal(options.demoBotDelayMs, 35);
  assert.deepEqual(warnings, ['DEMO_BOT_DELAY_MS=fast is not an integer in 0-10000; using 35.']);
});

test('OPENAI_BASE_URL switches to the OpenAI-compatible bot', () => {
  const { options } = readConfig({
    OPENAI_BASE_URL: 'http://localhost:11434/v1',
    OPENAI_MODEL: 'llama3.2',
  });
  assert.deepEqual(options.openai, {
    baseURL: 'http://localhost:11434/v1',
    apiKey: undefined,
    model: 'llama3.2',
  });
  assert.equal(readConfig({ OPENAI_BASE_URL: 'http://x/v1' }).options.openai?.model, 'gpt-4o-mini');
});

test('the demo page starts on stream unless CHAT_PROTOCOL or --protocol says otherwise', () => {
  assert.equal(readConfig({}).options.protocol, 'stream');
  assert.equal(readConfig({ CHAT_PROTOCOL: 'rooms' }).options.protocol, 'rooms');
  assert.equal(readConfig({}, ['--protocol', 'threads']).options.protocol, 'threads');
  assert.equal(readConfig({}, ['--protocol=events']).options.protocol, 'events');
  assert.equal(
    readConfig({ CHAT_PROTOCOL: 'rooms' }, ['--protocol', 'events']).options.protocol,
    'events',
    'the command line wins',
  );
});

test('an unknown protocol or argument falls back with a warning', () => {
  const bad = readConfig({ CHAT_TOKEN_SECRET: 'x'.repeat(40) }, ['--protocol', 'carrier-pigeon']);
  assert.equal(bad.options.protocol, 'stream');
  assert.deepEqual(bad.warnings, [
    '--protocol=carrier-pigeon is not one of stream, events, rooms, threads; using stream.',
  ]);
  const env = readConfig({ CHAT_TOKEN_SECRET: 'x'.repeat(40), CHAT_PROTOCOL: 'Events' });
  assert.equal(env.options.protocol, 'stream');
  assert.match(env.warnings[0] ?? '', /^CHAT_PROTOCOL=Events/);
  const stray = readConfig({ CHAT_TOKEN_SECRET: 'x'.repeat(40) }, ['--verbose']);
  assert.deepEqual(stray.warnings, ['ignoring the unknown argument --verbose.']);
});

test('abuse limits: defaults, values from the environment, TRUST_PROXY in both forms', () => {
  const defaults = readConfig({}).options;
  assert.equal(defaults.trustProxy, undefined, 'X-Forwarded-For is ignored unless asked');
  assert.deepEqual(
    [defaults.tokenLimit, defaults.newVisitorLimit, defaults.maxSocketsPerVisitor],
    [60, 30, 20],
  );
  assert.deepEqual(
    [defaults.maxSocketsPerAddress, defaults.signInLimit, defaults.signInAccountLimit],
    [500, 10, 5],
  );
  assert.equal(defaults.signInConcurrency, 2);

  const { options, warnings } = readConfig({
    TRUST_PROXY: '1',
    CHAT_TOKEN_LIMIT: '7',
    CHAT_NEW_VISITOR_LIMIT: '3',
    CHAT_MAX_SOCKETS_PER_VISITOR: '4',
    CHAT_MAX_SOCKETS_PER_ADDRESS: '9',
    AGENT_SIGNIN_CONCURRENCY: '0',
    CHAT_VISITOR_SECRET: 'short',
  });
  assert.deepEqual(options.trustProxy, { hops: 1 });
  assert.deepEqual(
    [options.tokenLimit, options.newVisitorLimit, options.maxSocketsPerVisitor],
    [7, 3, 4],
  );
  assert.equal(options.maxSocketsPerAddress, 9);
  assert.equal(options.signInConcurrency, 2);
  assert.equal(options.visitorSecret, 'short');
  assert.ok(warnings.some((w) => w.startsWith('AGENT_SIGNIN_CONCURRENCY=0')));
  assert.ok(warnings.some((w) => w.startsWith('CHAT_VISITOR_SECRET is shorter')));

  const listed = readConfig({ TRUST_PROXY: '127.0.0.1, ::ffff:10.0.0.2, proxy.local' });
  assert.deepEqual(listed.options.trustProxy, { proxies: new Set(['127.0.0.1', '10.0.0.2']) });
  assert.ok(listed.warnings.some((w) => w.includes('proxy.local')));
});
