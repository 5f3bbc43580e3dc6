// The published package: `npm pack` must ship the CDN files, the unbundled ES module build with
// its types, and the manifest, point `exports`/`unpkg`/`jsdelivr` at them, and ship nothing else
// (no server, no agent console, no tests).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ROOT, ensureBuilt } from '../e2e/harness.js';

let files;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

before(() => {
  ensureBuilt();
  const out = execFileSync('npm', ['pack', '--dry-run', '--json'], { cwd: ROOT, encoding: 'utf8' });
  files = JSON.parse(out)[0].files.map((f) => f.path);
});

test('ships both CDN files with maps, the types and the manifest', () => {
  for (const f of [
    'dist/chat-widget.js',
    'dist/chat-widget.iife.js',
    'dist/chat-widget.js.map',
    'dist/chat-widget.loader.js',
    'dist/lib/index.js',
    'dist/lib/index.d.ts',
    'dist/lib/define.js',
    'custom-elements.json',
  ]) {
    assert.ok(files.includes(f), `${f} is in the package`);
  }
  assert.deepEqual(
    files.filter(
      (f) => !/^(dist\/(chat-widget|lib\/)|custom-elements\.json|README\.md|package\.json)/.test(f),
    ),
    [],
  );
});

test('every build registers the element (its own sideEffects must not drop define)', () => {
  for (const file of ['dist/chat-widget.js', 'dist/chat-widget.iife.js', 'dist/lib/define.js']) {
    const code = readFileSync(join(ROOT, file), 'utf8');
    assert.ok(/customElements\.define\(\s*["'`]chat-widget["'`]/.test(code), `${file} defines it`);
  }
  // The package's own source files that register it are listed, or its CDN build drops them.
  assert.ok(pkg.sideEffects.includes('./src/define.ts'));
});

test('exports, unpkg and jsdelivr point at files that exist', () => {
  const targets = [
    pkg.exports['.'].import,
    pkg.exports['.'].types,
    pkg.exports['./iife'],
    pkg.exports['./chat-widget.iife.js'],
    pkg.unpkg,
    pkg.jsdelivr,
    pkg.types,
  ];
  for (const target of targets) assert.ok(existsSync(join(ROOT, target)), `${target} exists`);
  assert.equal(pkg.unpkg, './dist/chat-widget.iife.js');
  assert.equal(pkg.customElements, 'custom-elements.json');
});

test('the types declare the tag and the events for TypeScript users', () => {
  const index = readFileSync(join(ROOT, 'dist/lib/index.d.ts'), 'utf8');
  assert.match(index, /ChatWidget/);
  const define = readFileSync(join(ROOT, 'dist/lib/define.d.ts'), 'utf8');
  assert.match(define, /'chat-widget': ChatWidget/);
  const events = readFileSync(join(ROOT, 'dist/lib/events.d.ts'), 'utf8');
  assert.match(events, /'chat-message': ChatMessageEvent/);
});

test('a TypeScript page using the shipped types compiles, and a wrong use does not', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'cw-types-'));
  try {
    const tsconfig = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'bundler',
        lib: ['ES2022', 'DOM'],
        skipLibCheck: true,
        types: [],
        paths: { 'chat-widget': [join(ROOT, 'dist/lib/index.d.ts')] },
      },
      files: ['page.ts'],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
    const tsc = join(ROOT, 'node_modules/.bin/tsc');
    const good = `import 'chat-widget';
const el = document.querySelector('chat-widget');
if (el) {
  el.open = true;
  void el.send('hi').then(() => el.clear());
  el.addEventListener('chat-message', (e) => console.log(e.detail.message.content.length));
  el.addEventListener('chat-status', (e) => console.log(e.detail.status === 'connected'));
}
`;
    writeFileSync(join(dir, 'page.ts'), good);
    execFileSync(tsc, ['-p', dir], { cwd: ROOT, encoding: 'utf8' });
    writeFileSync(
      join(dir, 'page.ts'),
      `${good}document.querySelector('chat-widget')?.addEventListener('chat-message', (e) => e.detail.message.nope);\n`,
    );
    assert.throws(() =>
      execFileSync(tsc, ['-p', dir], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
