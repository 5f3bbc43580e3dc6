// The demo page is what people copy from, so it has to stay embeddable the way the README
// promises: no inline script or style (strict CSP), and every playground control labelled.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';

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
