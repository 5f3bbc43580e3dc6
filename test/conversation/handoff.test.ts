import { expect } from '@open-wc/testing';
import { HandoffState } from '../../src/conversation/handoff.js';

describe('handoff state', () => {
  it('reports changes only, so a sync repeating the state is not news', () => {
    const handoff = new HandoffState();
    expect(handoff.apply({ kind: 'handoff', state: 'queued', position: 2 })).to.deep.equal({
      state: 'queued',
      position: 2,
    });
    expect(handoff.active).to.equal(true);
    expect(handoff.apply({ kind: 'handoff', state: 'queued', position: 2 })).to.equal(undefined);
    expect(handoff.apply({ kind: 'handoff', state: 'queued', position: 1 })).to.include({
      position: 1,
    });
    const maya = { name: 'Maya' };
    expect(handoff.apply({ kind: 'handoff', state: 'assigned', agent: maya })).to.deep.equal({
      state: 'assigned',
      agent: maya,
    });
    expect(handoff.humanHasChat).to.equal(true);
  });

  it('keeps the name of the person who left, and the reason nobody could come', () => {
    const handoff = new HandoffState();
    handoff.apply({ kind: 'handoff', state: 'assigned', agent: { name: 'Maya' } });
    expect(handoff.apply({ kind: 'handoff', state: 'ended' })).to.deep.equal({
      state: 'ended',
      agent: { name: 'Maya' },
    });
    expect(handoff.active).to.equal(false);
    handoff.leftMessage = true;
    handoff.apply({ kind: 'handoff', state: 'unavailable', reason: 'outside-hours' });
    expect(handoff.reason).to.equal('outside-hours');
    // A new "nobody is available" offers the form again.
    expect(handoff.leftMessage).to.equal(false);
  });
});
