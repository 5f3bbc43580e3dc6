import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { rawRequest, startApp } from './helpers.js';

const SECRET_TEXT = 'TOP-SECRET-NEXT-TO-THE-SITE';

/** A site root with demo/ and dist/ and a file beside them that must never be served. */
async function makeSite(t) {
  const root = await mkdtemp(join(tmpdir(), 'cw-static-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await mkdir(join(root, 'demo', 'nested'), { recursive: true });
  await mkdir(join(root, 'dist', 'types'), { recursive: true });
  await writeFile(join(root, 'secret.txt'), SECRET_TEXT);
  await writeFile(join(root, 'demo', 'index.html'), '<!doctype html><title>demo</title>');
  await writeFile(join(root, 'demo', 'demo.css'), 'body{}');
  await writeFile(join(root, 'demo', '.env'), SECRET_TEXT);
  await writeFile(join(root, 'demo', 'nested', 'index.html'), '<p>nested</p>');
  await writeFile(join(root, 'dist', 'chat-widget.js'), 'export {};');
  await writeFile(join(root, 'dist', 'chat-widget.js.map'), '{"version":3}');
  await writeFile(join(root, 'dist', 'chat-widget.iife.js'), 'void 0;');
  await writeFile(join(root, 'dist', 'types', 'index.d.ts'), 'export {};');
  await symlink(join(root, 'secret.txt'), join(root, 'demo', 'escape.txt'));
  return { demoDir: join(root, 'demo'), distDir: join(root, 'dist') };
}

test('serves the demo at / and the widget build at /dist/ with the right types', async (t) => {
  const app = await startApp(t, await makeSite(t));
  const expected = [
    ['/', 'text/html; charset=utf-8', '<title>demo</title>'],
    ['/index.html', 'text/html; charset=utf-8', '<title>demo</title>'],
    ['/nested/', 'text/html; charset=utf-8', 'nested'],
    ['/demo.css', 'text/css; charset=utf-8', 'body{}'],
    ['/dist/chat-widget.js', 'text/javascript; charset=utf-8', 'export {};'],
    ['/dist/chat-widget.iife.js', 'text/javascript; charset=utf-8', 'void 0;'],
    ['/dist/chat-widget.js.map', 'application/json; charset=utf-8', '{"version":3}'],
    ['/dist/types/index.d.ts', 'text/plain; charset=utf-8', 'export {};'],
    ['/demo.css?v=2', 'text/css; charset=utf-8', 'body{}'],
  ];
  for (const [path, type, body] of expected) {
    const res = await rawRequest(app, path);
    assert.equal(res.status, 200, path);
    assert.equal(res.headers['content-type'], type, path);
    assert.ok(res.body.includes(body), path);
    assert.equal(res.headers['x-content-type-options'], 'nosniff', path);
  }
  const page = await rawRequest(app, '/');
  assert.match(page.headers['content-security-policy'] ?? '', /script-src 'self'/, 'enforced');
  assert.equal(page.headers['content-security-policy-report-only'], undefined);
});

test('missing files are 404, other methods 405, and ETags revalidate', async (t) => {
  const app = await startApp(t, await makeSite(t));
  assert.equal((await rawRequest(app, '/nope.html')).status, 404);
  assert.equal((await rawRequest(app, '/dist/nope.js')).status, 404);
  assert.equal((await rawRequest(app, '/dist/')).status, 404, 'no directory listing');
  assert.equal((await rawRequest(app, '/dist')).status, 404);
  assert.equal((await rawRequest(app, '/nested')).status, 404);

  const post = await rawRequest(app, '/', { method: 'POST' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');

  const head = await rawRequest(app, '/dist/chat-widget.js', { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '10');
  assert.equal(head.body, '');

  const etag = /** @type {string} */ (head.headers.etag);
  assert.ok(etag);
  const again = await rawRequest(app, '/dist/chat-widget.js', {
    headers: { 'if-none-match': etag },
  });
  assert.equal(again.status, 304);
});

test('path traversal and dotfiles are refused', async (t) => {
  const app = await startApp(t, await makeSite(t));
  const attempts = [
    ['/../secret.txt', 403],
    ['/..%2fsecret.txt', 403],
    ['/%2e%2e/secret.txt', 403],
    ['/%2e%2e%2fsecret.txt', 403],
    ['/..%5csecret.txt', 403],
    ['/dist/../secret.txt', 403],
    ['/dist/..%2f..%2fsecret.txt', 403],
    ['/dist/%2e%2e/demo/index.html', 403],
    ['/nested/..%2f..%2fsecret.txt', 403],
    ['/escape.txt', 404],
    ['/.env', 404],
    ['/%2eenv', 404],
    ['/%00', 400],
    ['/%E0%A4%A', 400],
  ];
  for (const [path, status] of attempts) {
    const res = await rawRequest(app, /** @type {string} */ (path));
    assert.equal(res.status, status, path);
    assert.ok(!res.body.includes(SECRET_TEXT), path);
  }
});

test('the real demo page is served from demo/', async (t) => {
  const app = await startApp(t);
  const res = await rawRequest(app, '/');
  assert.equal(res.status, 200);
  assert.match(res.body, /<chat-widget\b/);
  assert.match(res.body, /src="\/dist\/chat-widget\.js"/);
});
