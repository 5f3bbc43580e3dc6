/**
 * Agent passwords as scrypt hashes (node:crypto, no dependency):
 * `scrypt$<N>$<r>$<p>$<salt, base64url>$<key, base64url>`. The parameters travel with the hash,
 * so stronger ones can be chosen later without invalidating the hashes already configured. The
 * format has no `:` or `,`, so a hash fits in `AGENT_ACCOUNTS=name:hash,name:hash`.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const PARAMS = Object.freeze({ N: 16384, r: 8, p: 1 });
const KEY_LENGTH = 32;
const HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([\w-]{16,})\$([\w-]{43,})$/;

/**
 * @param {string} password
 * @param {Buffer} salt
 * @param {{ N: number, r: number, p: number }} params
 * @param {number} keyLength
 * @returns {Promise<Buffer>}
 */
function derive(password, salt, { N, r, p }, keyLength) {
  return new Promise((resolve, reject) => {
    // 128·N·r bytes is what scrypt needs; the default cap (32 MiB) would refuse N=32768, r=8.
    const maxmem = 256 * N * r;
    scrypt(password.normalize('NFC'), salt, keyLength, { N, r, p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** @param {string} password @returns {Promise<string>} */
export async function hashPassword(password) {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS, KEY_LENGTH);
  const { N, r, p } = PARAMS;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

/** @param {unknown} hash */
export function isPasswordHash(hash) {
  if (typeof hash !== 'string') return false;
  const match = HASH.exec(hash);
  if (!match) return false;
  const [N, r, p] = match.slice(1, 4).map(Number);
  // Bounds keep a hostile or mistyped hash from making every sign-in allocate gigabytes.
  return (
    N !== undefined &&
    r !== undefined &&
    p !== undefined &&
    N >= 1024 &&
    N <= 1 << 20 &&
    (N & (N - 1)) === 0 &&
    r >= 1 &&
    r <= 32 &&
    p >= 1 &&
    p <= 16
  );
}

/**
 * @param {string} password
 * @param {string} hash from hashPassword
 * @returns {Promise<boolean>}
 */
export async function verifyPassword(password, hash) {
  if (!isPasswordHash(hash)) return false;
  const [, N, r, p, salt, key] = /** @type {RegExpExecArray} */ (HASH.exec(hash));
  const expected = Buffer.from(/** @type {string} */ (key), 'base64url');
  const actual = await derive(
    password,
    Buffer.from(/** @type {string} */ (salt), 'base64url'),
    { N: Number(N), r: Number(r), p: Number(p) },
    expected.length,
  );
  return timingSafeEqual(actual, expected);
}

// Checked against when the name is unknown, so a wrong name takes as long as a wrong password
// and sign-in timing does not tell which agent names exist.
let dummy;
/** @param {string} password */
export async function verifyAgainstNothing(password) {
  dummy ??= hashPassword('not a password of anyone');
  await verifyPassword(password, await dummy);
  return false;
}
