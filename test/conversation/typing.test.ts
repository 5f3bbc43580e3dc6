import { expect } from '@open-wc/testing';
import { TYPING_TTL_MS, TypingState } from '../../src/conversation/typing.js';
import { en } from '../../src/i18n/en.js';

describe('typing state', () => {
  it('names the people typing, each lapsing on its own', () => {
    const typing = new TypingState();
    typing.person('Ann', true, 1000);
    typing.person('Bob', true, 3000);
    expect(typing.label(en, true, 3000)).to.equal('Ann, Bob is typing…');
    // Ann's indicator is past its time: she is no longer shown, even before `lapse` runs.
    expect(typing.label(en, true, 1000 + TYPING_TTL_MS)).to.equal('Bob is typing…');
    expect(typing.lapse(1000 + TYPING_TTL_MS)).to.equal(true);
    expect(typing.lapse(1000 + TYPING_TTL_MS)).to.equal(false);
    typing.person('Bob', false);
    expect(typing.label(en, true, 3000)).to.equal(undefined);
  });

  it('shows the assistant while a reply is owed, unless a person holds the chat', () => {
    const typing = new TypingState();
    typing.awaitingReply = true;
    expect(typing.label(en, true)).to.equal(en.typing);
    expect(typing.label(en, false)).to.equal(undefined);
    typing.person('Maya', true);
    expect(typing.label(en, false)).to.equal('Maya is typing…');
    typing.clear();
    expect(typing.label(en, true)).to.equal(undefined);
  });
});
