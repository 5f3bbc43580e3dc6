import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

export const TOKEN_TTL_SECONDS = 300;

// Issuer and audience pin tokens to this server's WebSocket, so an HS256 token minted for
// something else with a reused secret is not accepted here.
const ISSUER = 'chat-widget-demo';
const AUDIENCE = 'chat-widget-stream';

/**
 * @typedef {object} TokenService
 * @property {number} ttlSeconds
 * @property {(subject: string) => Promise<string>} issue
 * @property {(token: string) => Promise<{ sub: string }>} verify rejects on any invalid token
 */

/**
 * @param {object} [options]
 * @param {string | Uint8Array} [options.secret] without one, a random key lives as long as the
 *   process, so tokens die with a restart (fine for a demo, wrong for several instances)
 * @param {number} [options.ttlSeconds]
 * @param {() => number} [options.now] milliseconds; tests move it to mint expired tokens
 * @returns {TokenService}
 */
export function createTokenService({
  secret,
  ttlSeconds = TOKEN_TTL_SECONDS,
  now = Date.now,
} = {}) {
  const key =
    typeof secret === 'string' && secret !== ''
      ? new TextEncoder().encode(secret)
      : secret instanceof Uint8Array
        ? secret
        : new Uint8Array(randomBytes(32));

  return {
    ttlSeconds,

    async issue(subject) {
      const issuedAt = Math.floor(now() / 1000);
      // The jti makes every token unique, even two minted in the same second for one visitor.
      return new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(subject)
        .setJti(randomUUID())
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .sign(key);
    },

    async verify(token) {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'exp'],
        currentDate: new Date(now()),
        // Small allowance for clock skew between the token endpoint and this check; the
        // endpoint and the socket live in one process here, but not in every deployment.
        clockTolerance: 5,
      });
      if (typeof payload.sub !== 'string' || payload.sub === '')
        throw new Error('token has no sub');
      return { sub: payload.sub };
    },
  };
}
