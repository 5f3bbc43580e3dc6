import { expect } from '@open-wc/testing';
import {
  BACKOFF_CAP_MS,
  BACKOFF_FLOOR_MS,
  STABLE_CONNECTION_MS,
  WORKED_CONNECTION_MS,
  backoffDelay,
  connectionWorked,
  nextAttempt,
  type SocketOutcome,
} from '../../src/connection/backoff.js';
import { RateLimiter } from '../../src/connection/rate-limit.js';
import { isFresh, readToken, refreshMargin } from '../../src/connection/token-policy.js';

describe('backoff', () => {
  it('grows exponentially from 1 s and is capped at 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((n) => backoffDelay(n, 0.999999))).to.deep.equal([
      999, 1999, 3999, 7999, 15999, 29999, 29999, 29999,
    ]);
    expect(backoffDelay(50, 0.999999)).to.be.at.most(BACKOFF_CAP_MS);
  });

  it('spreads retries with full jitter but never retries at once', () => {
    expect(backoffDelay(4, 0.5)).to.equal(8000);
    expect(backoffDelay(4, 0)).to.equal(BACKOFF_FLOOR_MS);
    const samples = new Set(Array.from({ length: 50 }, () => backoffDelay(5)));
    expect(samples.size).to.be.greaterThan(40);
  });
});

describe('rate limit', () => {
  it('lets `limit` sends through per window, then says how long to wait', () => {
    const limiter = new RateLimiter(10, 1000);
    for (let i = 0; i < 10; i++) {
      expect(limiter.wait(1000 + i)).to.equal(0);
      limiter.record(1000 + i);
    }
    expect(limiter.wait(1500)).to.equal(500);
    expect(limiter.wait(2000)).to.equal(0);
  });
});

describe('token policy', () => {
  it('reads a token response and plans a refresh shortly before expiry', () => {
    const held = readToken({ token: 'abc', expires_in: 300 }, 0);
    if ('error' in held) throw new Error(held.error);
    expect(held.value).to.equal('abc');
    expect(held.expiresAt).to.equal(300_000);
    expect(held.refreshAt).to.equal(300_000 - refreshMargin(300_000));
    expect(refreshMargin(300_000)).to.equal(30_000);
    expect(isFresh(held, 269_999)).to.be.true;
    expect(isFresh(held, 270_000)).to.be.false;
  });

  it('takes a plain string, and refuses responses without a token', () => {
    const held = readToken('plain', 0);
    expect('error' in held ? held.error : held.value).to.equal('plain');
    expect(readToken({ nope: 1 }, 0)).to.have.property('error');
    expect(readToken({ token: '' }, 0)).to.have.property('error');
    expect(readToken(null, 0)).to.have.property('error');
  });
});

describe('reconnect policy: which connections worked', () => {
  const outcome = (over: Partial<SocketOutcome>): SocketOutcome => ({
    opened: true,
    openFor: 3000,
    frames: 2,
    refused: false,
    ...over,
  });

  it('counts a socket that carried frames for a few seconds as working: the next try is attempt 0', () => {
    expect(connectionWorked(outcome({}))).to.equal(true);
    expect(nextAttempt(5, outcome({}))).to.equal(0);
    expect(backoffDelay(nextAttempt(5, outcome({})), 0.999)).to.be.at.most(1000);
  });

  it('keeps climbing after a socket that never opened, died at once, or was refused', () => {
    expect(nextAttempt(3, outcome({ opened: false, openFor: 0, frames: 0 }))).to.equal(3);
    expect(nextAttempt(3, outcome({ openFor: WORKED_CONNECTION_MS - 1 }))).to.equal(3);
    expect(nextAttempt(3, outcome({ refused: true, openFor: 60_000 }))).to.equal(3);
  });

  it('needs frames to call a short connection good, but not a long quiet one', () => {
    expect(connectionWorked(outcome({ frames: 0, openFor: 5000 }))).to.equal(false);
    expect(connectionWorked(outcome({ frames: 0, openFor: STABLE_CONNECTION_MS }))).to.equal(true);
  });
});
