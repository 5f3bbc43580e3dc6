import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  addressKey,
  createClientAddress,
  parseTrustProxy,
} from '../../server/platform/http/client-address.js';

/** @param {string} socket @param {string} [forwarded] */
const request = (socket, forwarded) =>
  /** @type {import('node:http').IncomingMessage} */ (
    /** @type {unknown} */ ({
      socket: { remoteAddress: socket },
      headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
    })
  );

test('TRUST_PROXY unset: the socket address, whatever the header says', () => {
  const of = createClientAddress(parseTrustProxy(undefined).trust);
  assert.equal(of(request('::ffff:10.0.0.5', '6.6.6.6')), '10.0.0.5');
  assert.equal(parseTrustProxy('0').trust, undefined);
});

test('a hop count takes the address that many hops from the right', () => {
  const one = createClientAddress(parseTrustProxy('1').trust);
  assert.equal(one(request('127.0.0.1', '6.6.6.6, 203.0.113.9')), '203.0.113.9');
  assert.equal(one(request('127.0.0.1')), '127.0.0.1', 'no header: the socket');
  const two = createClientAddress(parseTrustProxy('2').trust);
  assert.equal(two(request('10.0.0.1', '6.6.6.6, 203.0.113.9, 10.0.0.2')), '203.0.113.9');
});

test('a list of proxies peels only the hops they added', () => {
  const { trust, invalid } = parseTrustProxy('127.0.0.1, 10.0.0.2, not-an-ip');
  assert.deepEqual(invalid, ['not-an-ip']);
  const of = createClientAddress(trust);
  assert.equal(of(request('127.0.0.1', '6.6.6.6, 203.0.113.9, 10.0.0.2')), '203.0.113.9');
  assert.equal(of(request('198.51.100.7', '6.6.6.6')), '198.51.100.7', 'not from a proxy');
});

test('IPv6 clients are counted by their /64, IPv4 by the address', () => {
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
  assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
  assert.equal(addressKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('203.0.113.9'), '203.0.113.9');
});
