// The demo page is what people copy from, so it has to stay embeddable the way the README
// promises: no inline script or style (strict CSP), and every playground control labelled.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { startApp } from './helpers.js';

const html = await readFile(new URL('../../demo/index.html', import.meta.url), 'utf8');

test('the demo page has no inline scripts, styles or event handlers', () => {
  for (const script of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
    assert.match(script[0], /\ssrc="/, 'every script is external');
    assert.equal(script[1].trim(), '', 'and empty');
  }
  assert.doesNotMatch(html, /<style\b/);
  assert.doesNotMatch(html, /\sstyle="/);
  assert.doesNotMatch(html, /\son[a-z]+="/);
  assert.doesNotMatch(html, /javascript:/i);
});

test('the popup widget is loaded as a module from /dist and gets its token from the server', () => {
  assert.match(html, /<script type="module" src="\/dist\/chat-widget\.js"><\/script>/);
  const widgets = [...html.matchAll(/<chat-widget\b[^>]*>/g)].map((m) => m[0]);
  assert.equal(widgets.length, 2);
  for (const tag of widgets) {
    assert.match(tag, /token-url="\/api\/chat-token"/);
    assert.doesNotMatch(tag, /image-hosts=/);
  }
  assert.ok(widgets.some((tag) => /mode="inline"/.test(tag)));
});

test('every playground control has a label', () => {
  const controls = [...html.matchAll(/<(select|input|textarea)\b[^>]*\bid="([^"]+)"/g)];
  assert.ok(controls.length >= 5);
  for (const [, , id] of controls) {
    assert.match(html, new RegExp(`<label for="${id}">`), id);
  }
  assert.equal(
    [...html.matchAll(/<(select|input|textarea)\b/g)].length,
    controls.length,
    'no control without an id for its label',
  );
  for (const lang of ['en', 'es', 'fr', 'de', 'ja', 'ar']) {
    assert.match(html, new RegExp(`<option value="${lang}">`), lang);
  }
});

test('the playground has a labelled protocol picker with all four protocols', () => {
  const picker = /<select id="ctl-protocol"[^>]*>([\s\S]*?)<\/select>/.exec(html);
  assert.ok(picker, 'a <select id="ctl-protocol">');
  assert.match(html, /<label for="ctl-protocol">Protocol/);
  const values = [...(picker?.[1] ?? '').matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(values, ['stream', 'events', 'rooms', 'threads']);
});

test('/demo-config.js tells the page its first protocol and every endpoint', async (t) => {
  const app = await startApp(t, { protocol: 'threads' });
  const res = await fetch(new URL('/demo-config.js', app.url));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const source = await res.text();
  const config = (await import(`data:text/javascript,${encodeURIComponent(source)}`)).default;
  assert.equal(config.protocol, 'threads');
  assert.deepEqual(config.endpoints, {
    stream: { server: '/ws' },
    events: { server: '/ws/chat', apiBase: '/' },
    rooms: { server: '/ws', apiBase: '/' },
    threads: { server: '/chat/ws' },
  });
  const post = await fetch(new URL('/demo-config.js', app.url), { method: 'POST' });
  assert.equal(post.status, 405);
});
