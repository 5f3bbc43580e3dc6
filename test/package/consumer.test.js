// A site that installs the package with a bundler: the packed tarball goes into a fresh strict
// TypeScript + Vite app, which must type-check and build. The app uses Lit itself, so the build
// must hold one copy of Lit (the package's `.` is the unbundled build, whose Lit, marked and
// DOMPurify are real dependencies the bundler dedupes), and it must keep the element's
// registration (the `sideEffects` list says which files may not be dropped).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, ensureBuilt } from '../e2e/harness.js';

let app;

before(() => {
  ensureBuilt();
  app = mkdtempSync(join(tmpdir(), 'cw-consumer-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', app], {
      cwd: ROOT,
      encoding: 'utf8',
    }),
  )[0].filename;
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'consumer',
      private: true,
      type: 'module',
      dependencies: { 'chat-widget': `file:./${packed}`, lit: pkg.dependencies.lit },
    }),
  );
  // From npm's cache when it has them (this repository's own install put them there).
  execFileSync(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    {
      cwd: app,
      stdio: 'pipe',
    },
  );
  mkdirSync(join(app, 'src'));
  writeFileSync(
    join(app, 'src', 'main.ts'),
    `import { html, render } from 'lit';
import { ChatWidget, type ChatErrorEvent } from 'chat-widget';

render(html\`<chat-widget server="wss://chat.example.com/ws" token-url="/api/chat-token"></chat-widget>\`, document.body);
const el = document.querySelector('chat-widget');
if (el instanceof ChatWidget) {
  el.protocol = 'threads';
  el.theme = 'dark';
  el.getToken = async () => ({ token: 't', expires_in: 300 });
  el.addEventListener('chat-message', (e) => console.log(e.detail.message.role));
}
document.addEventListener('chat-error', (e: ChatErrorEvent) => console.log(e.detail.code, e.detail.detail));
window.addEventListener('chat-status', (e) => console.log(e.detail.status));
`,
  );
  writeFileSync(
    join(app, 'index.html'),
    '<!doctype html><html><body><script type="module" src="/src/main.ts"></script></body></html>',
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'bundler',
        lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        skipLibCheck: false,
        types: [],
      },
      include: ['src'],
    }),
  );
});

after(() => rmSync(app, { recursive: true, force: true }));

test('a strict TypeScript app type-checks against the package, and a wrong use does not', () => {
  const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['-p', app], { encoding: 'utf8' });
  const main = join(app, 'src', 'main.ts');
  const good = readFileSync(main, 'utf8');
  for (const wrong of [
    "document.addEventListener('chat-error', (e) => e.detail.nope);",
    "document.querySelector('chat-widget')!.protocol = 'carrier-pigeon';",
  ]) {
    writeFileSync(main, `${good}${wrong}\n`);
    assert.throws(() => execFileSync(tsc, ['-p', app], { stdio: 'pipe' }), wrong);
  }
  writeFileSync(main, good);
});

test('Vite builds it with one copy of Lit, and keeps the element registered', () => {
  const vite = join(ROOT, 'node_modules', '.bin', 'vite');
  execFileSync(vite, ['build', '--logLevel', 'error'], { cwd: app, stdio: 'pipe' });
  const assets = join(app, 'dist', 'assets');
  const bundle = readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(assets, f), 'utf8'))
    .join('\n');
  // Each copy of lit-html announces itself in this global list.
  assert.equal(bundle.split('litHtmlVersions').length - 1, 1, 'one copy of lit-html');
  // Asserted as booleans: a failure must not print the whole bundle.
  assert.ok(/customElements\.define\(["'`]chat-widget["'`]/.test(bundle), 'the element is defined');
  assert.ok(bundle.includes('chat-widget-markdown'), 'the markdown module came along');
  console.log(`[consumer] the app's bundle: ${(bundle.length / 1024).toFixed(1)} KB, one lit-html`);
});
