/**
 * Where tokens come from: a fixed `token`, a `getToken` function, or a POST to
 * `token-url`. Tokens live in memory only (never storage, attributes or logs).
 */
import type { TokenProvider } from '../types.js';
import { isFresh, readToken, type HeldToken } from './token-policy.js';

export interface TokenConfig {
  token?: string;
  tokenUrl?: string;
  getToken?: TokenProvider;
}

export class TokenError extends Error {}

export class TokenSource {
  #held: HeldToken | undefined;
  #pending: Promise<HeldToken> | undefined;
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly config: TokenConfig) {}

  get configured(): boolean {
    return Boolean(this.config.token || this.config.tokenUrl || this.config.getToken);
  }

  /** A token fit for a new connection, fetching one when the held one is stale. */
  async get(signal: AbortSignal): Promise<HeldToken> {
    const now = Date.now();
    if (isFresh(this.#held, now)) return this.#held;
    this.#pending ??= this.#fetch(signal).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  /** The held token while it has not expired (refreshed ahead of expiry on a timer). */
  current(): string | undefined {
    return this.#held && Date.now() < this.#held.expiresAt ? this.#held.value : undefined;
  }

  /** The server rejected the held token: the next `get` fetches a new one. */
  invalidate(): void {
    this.#held = undefined;
  }

  stop(): void {
    clearTimeout(this.#refreshTimer);
    this.#refreshTimer = undefined;
  }

  async #fetch(signal: AbortSignal): Promise<HeldToken> {
    const raw = await this.#request(signal);
    const token = readToken(raw, Date.now());
    if ('error' in token) throw new TokenError(token.error);
    this.#held = token;
    this.#scheduleRefresh(signal);
    return token;
  }

  /** Fetch again shortly before expiry, so a reconnect never waits on (or uses) a stale token. */
  #scheduleRefresh(signal: AbortSignal): void {
    clearTimeout(this.#refreshTimer);
    if (!this.#held || this.config.token !== undefined) return;
    const delay = Math.max(1000, this.#held.refreshAt - Date.now());
    this.#refreshTimer = setTimeout(() => {
      if (signal.aborted) return;
      this.#fetch(signal).catch(() => {
        // A failed background refresh is retried by the next connect, which
        // reports the error to the user if it fails again.
        this.#held = undefined;
      });
    }, delay);
  }

  async #request(signal: AbortSignal): Promise<unknown> {
    const { token, getToken, tokenUrl } = this.config;
    if (getToken) {
      try {
        return await getToken();
      } catch (error) {
        // The page's own function failed: that is a token problem, and says so in `chat-error`.
        throw new TokenError(error instanceof Error ? error.message : String(error));
      }
    }
    if (tokenUrl) {
      let response: Response;
      try {
        response = await fetch(tokenUrl, {
          method: 'POST',
          credentials: 'include',
          headers: { Accept: 'application/json' },
          signal,
        });
      } catch (error) {
        if (signal.aborted) throw error;
        throw new TokenError(`the token endpoint could not be reached.`);
      }
      if (!response.ok) {
        throw new TokenError(`the token endpoint answered ${response.status}.`);
      }
      try {
        return await response.json();
      } catch {
        throw new TokenError('the token endpoint did not answer with JSON.');
      }
    }
    if (token) return token;
    throw new TokenError('no token, token-url or getToken is set.');
  }
}
