// A seeded random number generator (the mulberry32 algorithm): tiny, fast, and the same
// sequence everywhere for a seed, so a failing split or drop pattern can be replayed. Plain
// JavaScript so that Node (e2e tests, the benchmark) and the browser tests share it.

/**
 * @param {number} seed
 * @returns {() => number} numbers in [0, 1)
 */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
