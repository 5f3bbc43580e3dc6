import { expect } from '@open-wc/testing';
import { MAX_REFUSALS, Outbox, type Gate } from '../../src/conversation/outbox.js';
import type { ChatMessage } from '../../src/types.js';

const message = (id: string): ChatMessage => ({
  id,
  role: 'user',
  content: `text of ${id}`,
  state: 'sending',
  createdAt: 0,
});

const open: Gate = { ready: true, replyInFlight: false, replaying: false };

describe('outbox', () => {
  it('holds everything until the link is ready, then sends oldest first, each once per socket', () => {
    const outbox = new Outbox();
    const pending = [message('a'), message('b')];
    expect(outbox.next(pending, { ...open, ready: false }, 0)).to.deep.equal({
      kind: 'hold',
      why: 'not-ready',
    });
    const first = outbox.next(pending, open, 0);
    expect(first).to.deep.include({ kind: 'send' });
    expect(first.kind === 'send' && first.message.id).to.equal('a');
    outbox.written('a', 0);
    const second = outbox.next(pending, open, 0);
    expect(second.kind === 'send' && second.message.id).to.equal('b');
    outbox.written('b', 0);
    expect(outbox.next(pending, open, 0)).to.deep.equal({ kind: 'idle' });
  });

  it('writes unconfirmed messages again on the next socket', () => {
    const outbox = new Outbox();
    const pending = [message('a')];
    outbox.written('a', 0);
    outbox.socketClosed();
    const again = outbox.next(pending, open, 10);
    expect(again.kind === 'send' && again.message.id).to.equal('a');
  });

  it('waits for a replay before resending what the server may already have', () => {
    const outbox = new Outbox();
    const pending = [message('a')];
    outbox.written('a', 0);
    outbox.socketClosed();
    expect(outbox.next(pending, { ...open, replaying: true }, 10)).to.deep.equal({
      kind: 'hold',
      why: 'replay',
    });
    // A message never written before has nothing to learn from the replay.
    const fresh = new Outbox();
    expect(fresh.next(pending, { ...open, replaying: true }, 10).kind).to.equal('send');
  });

  it('paces to the backend rate limit and says how long to wait', () => {
    const outbox = new Outbox({ ratePerSecond: 2 });
    const pending = [message('a'), message('b'), message('c')];
    outbox.written('a', 1000);
    outbox.written('b', 1000);
    const step = outbox.next(pending, open, 1000);
    expect(step).to.deep.equal({ kind: 'wait', ms: 1100, why: 'rate' });
    expect(outbox.next(pending, open, 2100).kind).to.equal('send');
  });

  it('sends one message per reply on a one-reply-at-a-time backend', () => {
    const outbox = new Outbox({ oneReplyAtATime: true });
    const pending = [message('a'), message('b')];
    expect(outbox.next(pending, open, 0).kind).to.equal('send');
    outbox.written('a', 0);
    // Written, not yet acknowledged: the next one waits.
    expect(outbox.next(pending, open, 0)).to.deep.equal({ kind: 'hold', why: 'reply' });
    outbox.settled('a');
    // Acknowledged, but its reply is still streaming.
    expect(outbox.next([message('b')], { ...open, replyInFlight: true }, 0)).to.deep.equal({
      kind: 'hold',
      why: 'reply',
    });
    const next = outbox.next([message('b')], open, 0);
    expect(next.kind === 'send' && next.message.id).to.equal('b');
  });

  it('sends a refused message again after a growing pause, and fails it past the limit', () => {
    const outbox = new Outbox();
    const pending = [message('a')];
    outbox.written('a', 0);
    const pauses: number[] = [];
    let now = 0;
    for (let i = 0; i < MAX_REFUSALS; i++) {
      const verdict = outbox.refused('a', now);
      if (verdict.kind !== 'again') throw new Error('failed too early');
      pauses.push(verdict.afterMs);
      expect(outbox.next(pending, open, now).kind).to.equal('wait');
      now += verdict.afterMs;
      expect(outbox.next(pending, open, now).kind).to.equal('send');
      outbox.written('a', now);
    }
    expect(pauses).to.deep.equal([1000, 2000, 4000, 8000, 8000]);
    expect(outbox.refused('a', now)).to.deep.equal({ kind: 'fail' });
  });
});
