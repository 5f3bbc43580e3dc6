import { expect } from '@open-wc/testing';
import { mailtoHref } from '../../apps/agent-console/mailto.js';

describe('mailtoHref', () => {
  it('keeps a plain address as it is', () => {
    expect(mailtoHref('ada@example.com')).to.equal('mailto:ada@example.com');
  });

  it('cannot be given headers: ?, & and # are encoded on both sides of the @', () => {
    const href = mailtoHref('a?bcc=eve@evil.example&body=hi@example.com');
    expect(href).to.equal('mailto:a%3Fbcc%3Deve%40evil.example%26body%3Dhi@example.com');
    const url = new URL(href);
    expect(url.search).to.equal('');
    expect(mailtoHref('x@example.com#frag?cc=y')).to.not.match(/[?#]/);
  });
});
