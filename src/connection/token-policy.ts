import type { TokenResponse } from '../types.js';

/** Without `expires_in` a token is assumed to last this long. */
export const DEFAULT_TOKEN_LIFETIME_S = 300;

/** Refresh this long before expiry: a tenth of the lifetime, between 5 s and 60 s. */
export function refreshMargin(lifetimeMs: number): number {
  return Math.min(60_000, Math.max(5_000, lifetimeMs / 10));
}

export interface HeldToken {
  value: string;
  expiresAt: number;
  refreshAt: number;
  response: TokenResponse;
}

/** Read what a token provider gave into a held token, or explain why it is unusable. */
export function readToken(raw: unknown, now: number): HeldToken | { error: string } {
  const response: TokenResponse | undefined =
    typeof raw === 'string'
      ? { token: raw }
      : raw !== null && typeof raw === 'object' && typeof (raw as TokenResponse).token === 'string'
        ? (raw as TokenResponse)
        : undefined;
  if (!response || response.token.length === 0) {
    return { error: 'The token endpoint did not return a token.' };
  }
  const seconds =
    typeof response.expires_in === 'number' && response.expires_in > 0
      ? response.expires_in
      : DEFAULT_TOKEN_LIFETIME_S;
  const lifetime = seconds * 1000;
  return {
    value: response.token,
    expiresAt: now + lifetime,
    refreshAt: now + lifetime - refreshMargin(lifetime),
    response,
  };
}

/** A held token is fit for a new connection until its refresh time. */
export function isFresh(token: HeldToken | undefined, now: number): token is HeldToken {
  return token !== undefined && now < token.refreshAt;
}
