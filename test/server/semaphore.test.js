import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSemaphore } from '../../server/platform/limits/semaphore.js';

test('at most max tasks run, maxWaiting wait, the rest are refused at once', async () => {
  const gate = createSemaphore({ max: 2, maxWaiting: 1 });
  let running = 0;
  let most = 0;
  /** @type {Array<() => void>} */
  const finish = [];
  const task = () =>
    new Promise((/** @type {(value: string) => void} */ resolve) => {
      running += 1;
      most = Math.max(most, running);
      finish.push(() => {
        running -= 1;
        resolve('done');
      });
    });
  const runs = [gate.run(task), gate.run(task), gate.run(task), gate.run(task)];
  assert.deepEqual(await runs[3], { ran: false }, 'two running and one waiting: refused');
  assert.equal(finish.length, 2, 'the waiting one has not started');
  finish.shift()?.();
  assert.deepEqual(await runs[0], { ran: true, value: 'done' });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(finish.length, 2, 'the waiting one took the free turn');
  for (const done of finish.splice(0)) done();
  assert.deepEqual(await Promise.all(runs.slice(1, 3)), [
    { ran: true, value: 'done' },
    { ran: true, value: 'done' },
  ]);
  assert.equal(most, 2);
  assert.deepEqual(await gate.run(async () => 'again'), { ran: true, value: 'again' }, 'all freed');
});
