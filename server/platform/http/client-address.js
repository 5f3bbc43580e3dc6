/**
 * Who a request comes from. Behind a reverse proxy every socket is the proxy's, so limits keyed
 * on the socket address would put every client in one bucket; but `X-Forwarded-For` is written
 * by whoever sends the request, so it is believed only as far as `TRUST_PROXY` says: a number of
 * proxy hops in front of this server (the right-most entries are theirs), or a list of proxy
 * addresses (entries are peeled from the right while the hop that added them is one of them).
 * Unset: the socket address, and the header is ignored.
 */
import { isIP, isIPv6 } from 'node:net';

/** @typedef {{ hops: number } | { proxies: Set<string> }} TrustProxy */

/**
 * @param {string | undefined} raw `TRUST_PROXY`: `1`, `2`…, or `127.0.0.1, ::1`
 * @returns {{ trust: TrustProxy | undefined, invalid: string[] }}
 */
export function parseTrustProxy(raw) {
  const value = raw?.trim() ?? '';
  if (value === '' || value === '0' || value === 'false') return { trust: undefined, invalid: [] };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    return hops <= 10 ? { trust: { hops }, invalid: [] } : { trust: undefined, invalid: [value] };
  }
  /** @type {string[]} */
  const invalid = [];
  const proxies = new Set();
  for (const entry of value.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    if (isIP(entry)) proxies.add(normalizeAddress(entry));
    else invalid.push(entry);
  }
  return { trust: proxies.size > 0 ? { proxies } : undefined, invalid };
}

/**
 * @param {TrustProxy | undefined} trust
 * @returns {(req: import('node:http').IncomingMessage) => string}
 */
export function createClientAddress(trust) {
  return function clientAddress(req) {
    const socketAddress = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
    if (!trust) return socketAddress;
    const header = req.headers['x-forwarded-for'];
    const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((e) => normalizeAddress(e.trim()))
      .filter((e) => isIP(e));
    if ('hops' in trust) {
      // The last `hops` addresses in [...forwarded, socket] are proxies; the one before them
      // is the client. A shorter chain than promised means a hop did not add itself: the
      // left-most address is the best there is.
      const chain = [...forwarded, socketAddress];
      return chain[Math.max(0, chain.length - 1 - trust.hops)] ?? socketAddress;
    }
    let address = socketAddress;
    while (trust.proxies.has(address) && forwarded.length > 0) {
      address = /** @type {string} */ (forwarded.pop());
    }
    return address;
  };
}

/** `::ffff:1.2.3.4` is the IPv4 client it names; IPv6 in lower case. @param {string} address */
export function normalizeAddress(address) {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return /** @type {string} */ (mapped[1]);
  return address.toLowerCase();
}

/**
 * The key limits count a client under: an IPv4 address, or an IPv6 /64, since one subscriber
 * usually holds a whole /64 and could otherwise take a fresh address for every request.
 *
 * @param {string} address from clientAddress
 */
export function addressKey(address) {
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
