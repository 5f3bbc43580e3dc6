import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRecentIds } from '../../server/platform/recent-ids.js';

test('entries expire after the TTL', () => {
  let now = 0;
  const ids = createRecentIds({ ttlMs: 100, now: () => now });
  ids.set('a', 1);
  now = 99;
  assert.equal(ids.get('a'), 1);
  now = 100;
  assert.equal(ids.get('a'), undefined);
  assert.equal(ids.size, 0);
});

test('expired entries are pruned on write, and setting again restarts the clock', () => {
  let now = 0;
  const ids = createRecentIds({ ttlMs: 100, now: () => now });
  ids.set('a', 1);
  ids.set('b', 2);
  now = 60;
  ids.set('a', 3);
  now = 120;
  ids.set('c', 4);
  assert.equal(ids.size, 2, 'b expired and was dropped');
  assert.equal(ids.get('a'), 3);
  assert.equal(ids.get('b'), undefined);
});

test('the size is bounded: the oldest entries go first', () => {
  const ids = createRecentIds({ ttlMs: 60_000, maxEntries: 3 });
  for (const key of ['a', 'b', 'c', 'd', 'e']) ids.set(key, key);
  assert.equal(ids.size, 3);
  assert.equal(ids.get('a'), undefined);
  assert.equal(ids.get('b'), undefined);
  assert.equal(ids.get('e'), 'e');
});
