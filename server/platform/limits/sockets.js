/**
 * Caps on the sockets this process holds for one visitor (a token subject: every tab, and every
 * protocol) and for one client address (IPv6: its /64). A thousand sockets on one token cost the
 * server a thousand sockets' memory and fan-out while counting as one visitor everywhere else.
 * The caps are per process: sockets live in a process, and a balancer spreads one client's
 * sockets over several only as far as it spreads everyone's.
 */

/** Sockets per visitor (`CHAT_MAX_SOCKETS_PER_VISITOR`): many tabs, not thousands. */
export const DEFAULT_SOCKETS_PER_VISITOR = 20;
/** Sockets per client address (`CHAT_MAX_SOCKETS_PER_ADDRESS`): an office or a carrier NAT. */
export const DEFAULT_SOCKETS_PER_ADDRESS = 500;

/**
 * @param {{ perVisitor?: number, perAddress?: number }} [options]
 */
export function createSocketQuota({
  perVisitor = DEFAULT_SOCKETS_PER_VISITOR,
  perAddress = DEFAULT_SOCKETS_PER_ADDRESS,
} = {}) {
  /** @type {Map<string, number>} */
  const byVisitor = new Map();
  /** @type {Map<string, number>} */
  const byAddress = new Map();

  /** @param {Map<string, number>} counts @param {string} key */
  const release = (counts, key) => {
    const left = (counts.get(key) ?? 1) - 1;
    if (left <= 0) counts.delete(key);
    else counts.set(key, left);
  };

  return {
    /**
     * Takes a place for one socket, or says which cap is full.
     * @param {string | undefined} visitor the token's subject; undefined for a socket refused
     *   later by its protocol, which counts for its address only
     * @param {string} address from addressKey
     * @returns {{ admitted: true, release: () => void } | { admitted: false, detail: string }}
     */
    admit(visitor, address) {
      if ((byAddress.get(address) ?? 0) >= perAddress) {
        return { admitted: false, detail: `At most ${perAddress} sockets from one address` };
      }
      if (visitor !== undefined && (byVisitor.get(visitor) ?? 0) >= perVisitor) {
        return { admitted: false, detail: `At most ${perVisitor} sockets per visitor` };
      }
      byAddress.set(address, (byAddress.get(address) ?? 0) + 1);
      if (visitor !== undefined) byVisitor.set(visitor, (byVisitor.get(visitor) ?? 0) + 1);
      let released = false;
      return {
        admitted: true,
        release() {
          if (released) return;
          released = true;
          release(byAddress, address);
          if (visitor !== undefined) release(byVisitor, visitor);
        },
      };
    },
  };
}
