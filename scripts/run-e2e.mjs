// Runs each end-to-end file on its own and, when one fails, runs that file once more.
// These tests drive real browsers, servers and network faults on a busy 2-core machine; a
// second failure fails the run. A retry is printed loudly, so a flaky test stays visible.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const files = readdirSync('test/e2e')
  .filter((f) => f.endsWith('.test.js'))
  .sort()
  .map((f) => `test/e2e/${f}`);

const run = (file) =>
  spawnSync(process.execPath, ['--test', '--test-concurrency=1', file], { stdio: 'inherit' })
    .status === 0;

const retried = [];
const failed = [];
for (const file of files) {
  if (run(file)) continue;
  console.log(`\n!! ${file} failed; running it once more\n`);
  retried.push(file);
  if (!run(file)) failed.push(file);
}
if (retried.length) console.log(`\nretried after a first failure: ${retried.join(', ')}`);
if (failed.length) {
  console.log(`failed twice: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`${files.length} end-to-end files passed`);
