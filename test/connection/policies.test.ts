import { expect } from '@open-wc/testing';
import { BACKOFF_CAP_MS, BACKOFF_FLOOR_MS, backoffDelay } from '../../src/connection/backoff.js';
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
