// The README's token endpoint is what site owners copy; run that very block and check that the
// reference server accepts what it mints, so the documentation cannot drift from the server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, rm } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createTokenService } from '../../server/platform/auth/jwt.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'the README example secret, long enough for HS256';

/** The first js code block after the README's "minimal token endpoint" sentence. */
async function readmeBlock() {
  const readme = await readFile(`${root}README.md`, 'utf8');
  const from = readme.indexOf('A minimal token endpoint');
  assert.ok(from >= 0, 'README has the token endpoint example');
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(from));
  assert.ok(block, 'the example is a js code block');
  return block[1];
}

test('the README token endpoint mints tokens the reference server accepts', async () => {
  const code = await readmeBlock();
  // The block uses an Express-like `app` and a session middleware; give it the smallest ones.
  // The file sits in the repo so that its `import 'jose'` resolves like a site's would.
  const file = `${root}test/server/.readme-token-${process.pid}.mjs`;
  // Import declarations are hoisted, so the harness line may come first.
  await writeFile(file, `const { app, requireSession } = globalThis.__readmeHarness;\n${code}\n`);
  const routes = new Map();
  globalThis.__readmeHarness = {
    app: { post: (path, _session, handler) => routes.set(path, handler) },
    requireSession: () => {},
  };
  process.env.CHAT_TOKEN_SECRET = SECRET;
  try {
    await import(pathToFileURL(file).href);
  } finally {
    await rm(file, { force: true });
    delete globalThis.__readmeHarness;
  }
  const handler = routes.get('/api/chat-token');
  assert.ok(handler, 'the example registers POST /api/chat-token');

  let body;
  const headers = {};
  const res = {
    set: (name, value) => ((headers[name] = value), res),
    json: (value) => ((body = value), res),
  };
  await handler({ user: { id: 'visitor-42' } }, res);

  assert.equal(headers['Cache-Control'], 'no-store');
  assert.equal(body.expires_in, 300);
  const tokens = createTokenService({ secret: SECRET });
  assert.deepEqual(await tokens.verify(body.token), { sub: 'visitor-42' });
  // And a server with another secret refuses it: the check is real.
  await assert.rejects(createTokenService({ secret: `${SECRET}, but another` }).verify(body.token));
});
