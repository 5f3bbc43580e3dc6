// The server's layout rules (server/README.md, "Layout"), checked on the source: imports
// between its files form no cycle, platform/ imports no feature, and a file over 400 lines says
// why at its top.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SERVER = resolve(dirname(fileURLToPath(import.meta.url)), '../../server');
const MAX_LINES = 400;
// Static and dynamic imports of relative paths; JSDoc `import('…')` types are not imports.
const IMPORT =
  /^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'|await import\('(\.[^']+)'\)/gm;

/** @param {string} dir @returns {string[]} */
function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

const files = sources(SERVER);
/** @type {Map<string, string[]>} file → the server files it imports */
const graph = new Map(
  files.map((file) => {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(IMPORT)]
      .map((m) => m[1] ?? m[2] ?? m[3])
      .filter((spec) => spec !== undefined)
      .map((spec) => resolve(dirname(file), spec));
    return [file, targets];
  }),
);
const name = (/** @type {string} */ file) => relative(SERVER, file);

test('every relative import names a server file that exists', () => {
  for (const [file, targets] of graph) {
    for (const target of targets) {
      if (target.startsWith(SERVER)) assert.ok(graph.has(target), `${name(file)} → ${target}`);
    }
  }
});

test('server imports form no cycle', () => {
  /** @type {Map<string, 'open' | 'done'>} */
  const state = new Map();
  /** @type {string[]} */
  const path = [];
  /** @param {string} file */
  const visit = (file) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'open') {
      const cycle = path.slice(path.indexOf(file)).concat(file).map(name);
      assert.fail(`import cycle: ${cycle.join(' → ')}`);
    }
    state.set(file, 'open');
    path.push(file);
    for (const target of graph.get(file) ?? []) if (graph.has(target)) visit(target);
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) visit(file);
});

test('platform/ imports nothing but platform/, not even a type', () => {
  for (const [file, targets] of graph) {
    if (!name(file).startsWith('platform/')) continue;
    const types = [...readFileSync(file, 'utf8').matchAll(/import\('(\.[^']+)'\)/g)].map((m) =>
      resolve(dirname(file), m[1] ?? ''),
    );
    for (const target of [...targets, ...types].filter((t) => t.startsWith(SERVER))) {
      assert.ok(name(target).startsWith('platform/'), `${name(file)} imports ${name(target)}`);
    }
  }
});

test(`a file over ${MAX_LINES} lines says why in its opening comment`, () => {
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (text.split('\n').length <= MAX_LINES) continue;
    const opening = /^\/\*\*[\s\S]*?\*\//.exec(text)?.[0] ?? '';
    assert.match(opening, /Over 400 lines because/, `${name(file)} has no reason for its length`);
  }
});
