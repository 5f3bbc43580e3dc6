import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isEmailAddress } from '../../server/support/handoff.js';

test('left-message addresses: ordinary ones pass', () => {
  for (const ok of ['ana@example.com', 'a.b+tag@mail.example.co.uk', 'x_y-z@a-b.io']) {
    assert.equal(isEmailAddress(ok), true, ok);
  }
});

test('left-message addresses: anything that could reshape a mailto: link is refused', () => {
  const refused = [
    'a?bcc=eve@evil.example', // headers in the link
    'a@example.com?body=hi',
    'a&cc=b@example.com',
    'a%40b@example.com',
    'a#x@example.com',
    '"quoted"@example.com',
    'a b@example.com',
    '.a@example.com',
    'a.@example.com',
    'a..b@example.com',
    'a@-example.com',
    'a@example',
    'a@example.c0m',
    `${'a'.repeat(65)}@example.com`,
    `a@${'b'.repeat(250)}.com`,
    'a@b@example.com',
  ];
  for (const bad of refused) assert.equal(isEmailAddress(bad), false, bad);
});
