import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createKeyedLimiter,
  createSlidingWindow,
} from '../../server/platform/limits/rate-limit.js';

test('a sliding window allows `limit` events in any window, counting only those allowed', () => {
  let time = 0;
  const window = createSlidingWindow(3, 1000, () => time);
  assert.deepEqual(
    [window.take(), window.take(), window.take(), window.take()],
    [true, true, true, false],
  );
  time = 999;
  assert.equal(window.take(), false, 'the first three are still in the window');
  time = 1000;
  assert.equal(window.take(), true, 'the first three have left it');
  assert.equal(window.take(), true);
  assert.equal(window.take(), true);
  assert.equal(window.take(), false);
});

test('keyed fixed windows: per key, with what is left and when it resets', () => {
  let time = 10_000;
  const limiter = createKeyedLimiter({ limit: 2, windowMs: 60_000, now: () => time });
  assert.deepEqual(limiter.take('a'), { allowed: true, limit: 2, remaining: 1, resetAt: 70_000 });
  assert.equal(limiter.take('a').remaining, 0);
  assert.equal(limiter.take('a').allowed, false);
  assert.equal(limiter.take('b').allowed, true, 'keys are separate');
  time = 70_000;
  assert.deepEqual(limiter.take('a'), { allowed: true, limit: 2, remaining: 1, resetAt: 130_000 });
});

test('keyed windows remember at most maxKeys keys', () => {
  const limiter = createKeyedLimiter({ limit: 1, windowMs: 60_000, maxKeys: 2, now: () => 0 });
  limiter.take('a');
  limiter.take('b');
  limiter.take('c'); // `a`, the oldest, is forgotten to make room
  assert.equal(limiter.take('a').allowed, true);
  assert.equal(limiter.take('c').allowed, false);
});
