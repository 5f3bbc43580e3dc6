import { expect } from '@open-wc/testing';
import { Transcript } from '../../src/transcript/transcript.js';

describe('transcript', () => {
  it('grows a reply from deltas and ends it, replacing with final content when given', () => {
    const t = new Transcript();
    t.reply('r1');
    t.append('r1', 'Hel');
    t.append('r1', 'lo');
    expect(t.find('r1')!.content).to.equal('Hello');
    expect(t.find('r1')!.state).to.equal('streaming');
    t.end('r1', 'Hello!', 'final-1');
    expect(t.find('r1')!.content).to.equal('Hello!');
    expect(t.find('final-1')).to.equal(t.find('r1'));
    expect(t.append('r1', 'late')).to.equal(undefined);
  });

  it('renames an ended reply to the final id, still finding it by the local one', () => {
    const t = new Transcript();
    t.append('local-1', 'Hi');
    const ended = t.end('local-1', 'Hi there', 'server-9')!;
    expect(ended.id).to.equal('server-9');
    expect(t.find('local-1')).to.equal(ended);
    expect(t.receive({ id: 'server-9', role: 'assistant', content: 'Hi there' })).to.equal(
      undefined,
    );
    expect(t.messages).to.have.length(1);
  });

  it('does not show a message twice when the backend sends it again', () => {
    const t = new Transcript();
    expect(t.receive({ id: 'a', role: 'assistant', content: 'x' })).to.exist;
    expect(t.receive({ id: 'a', role: 'assistant', content: 'x' })).to.equal(undefined);
    t.prepend([
      { id: 'a', role: 'assistant', content: 'x' },
      { id: 'old', role: 'user', content: 'y' },
    ]);
    expect(t.messages.map((m) => m.id)).to.deep.equal(['old', 'a']);
  });

  it('knows a user message by the server id it was acknowledged with', () => {
    const t = new Transcript();
    const mine = t.push({ id: 'c1', role: 'user', content: 'hi', state: 'sending', createdAt: 0 });
    t.alias(mine, 's1');
    expect(t.receive({ id: 's1', role: 'user', content: 'hi' })).to.equal(undefined);
    expect(t.messages).to.have.length(1);
  });

  it("takes the backend's copy of a reply: finished since this tab saw it cut, or cut", () => {
    const t = new Transcript();
    // A reload restores a reply that was streaming as interrupted; the server finished it.
    t.push({
      id: 'r1',
      role: 'assistant',
      content: 'Half an ans',
      state: 'complete',
      note: 'interrupted',
      createdAt: 1,
    });
    const whole = t.receive({ id: 'r1', role: 'assistant', content: 'Half an answer, and more.' });
    expect(whole).to.equal(t.find('r1'));
    expect(whole).to.include({ content: 'Half an answer, and more.', state: 'complete' });
    expect(whole!.note).to.equal(undefined);
    // A reply the server keeps as cut off shows as such, new or known.
    const cut = t.receive({ id: 'r2', role: 'assistant', content: 'Cu', interrupted: true });
    expect(cut!.note).to.equal('interrupted');
    t.push({ id: 'r3', role: 'assistant', content: 'Seen whole', state: 'complete', createdAt: 2 });
    expect(
      t.receive({ id: 'r3', role: 'assistant', content: 'Seen whole', interrupted: true })!.note,
    ).to.equal('interrupted');
    // Nothing new: nothing to redraw.
    expect(
      t.receive({ id: 'r3', role: 'assistant', content: 'Seen whole', interrupted: true }),
    ).to.equal(undefined);
    expect(t.messages).to.have.length(3);
  });

  it('finishes replies that will not continue and marks them', () => {
    const t = new Transcript();
    t.append('r1', 'partial');
    const ended = t.interruptStreaming();
    expect(ended).to.have.length(1);
    expect(t.find('r1')!.state).to.equal('complete');
    expect(t.find('r1')!.note).to.equal('interrupted');
    t.append('r2', 'done by silence');
    t.interruptStreaming(null);
    expect(t.find('r2')!.note).to.equal(undefined);
  });

  it('keeps unconfirmed user messages as the outbox, oldest first', () => {
    const t = new Transcript();
    t.push({ id: 'a', role: 'user', content: '1', state: 'sending', createdAt: 0 });
    t.push({ id: 'b', role: 'user', content: '2', state: 'sent', createdAt: 0 });
    t.push({ id: 'c', role: 'user', content: '3', state: 'sending', createdAt: 0 });
    expect(t.pending.map((m) => m.id)).to.deep.equal(['a', 'c']);
  });
});
