import { expect } from '@open-wc/testing';
import { bannerAfter } from '../../src/conversation/status.js';
import { en } from '../../src/i18n/en.js';

describe('the banner after a connection status', () => {
  it('says a refused sign-in in plain words and keeps the reason as detail', () => {
    expect(
      bannerAfter({ status: 'error', code: 'auth', reason: 'Invalid API key' }, undefined, en),
    ).to.deep.equal({
      code: 'auth',
      message: en.errorAuth,
      detail: 'Invalid API key',
    });
  });

  it('says a refused handshake without a reason, and a token failure without its detail', () => {
    expect(bannerAfter({ status: 'error', code: 'auth' }, undefined, en)!.message).to.equal(
      en.errorAuth,
    );
    expect(
      bannerAfter(
        { status: 'error', code: 'token', reason: 'the token endpoint answered 500.' },
        undefined,
        en,
      ),
    ).to.deep.equal({
      code: 'token',
      message: en.errorToken,
      detail: 'the token endpoint answered 500.',
    });
  });

  it('keeps the same banner (no news for the page) while the same failure repeats', () => {
    const first = bannerAfter({ status: 'error', code: 'auth', reason: 'x' }, undefined, en);
    expect(bannerAfter({ status: 'error', code: 'auth', reason: 'y' }, first, en)).to.equal(first);
  });

  it('clears connection banners once connected, and leaves the others', () => {
    const auth = { code: 'auth', message: en.errorAuth };
    expect(bannerAfter({ status: 'connected' }, auth, en)).to.equal(undefined);
    const reply = { code: 'server-error', message: en.errorReply };
    expect(bannerAfter({ status: 'connected' }, reply, en)).to.equal(reply);
    expect(bannerAfter({ status: 'reconnecting' }, reply, en)).to.equal(reply);
  });
});
