import { expect } from '@open-wc/testing';
import '../src/define.js';
import { connected, messages, part, received, streamHttp, uniqueKey, until } from './helpers.js';
import { streamPost, streamWidgetFixture } from './helpers.js';

beforeEach(() => sessionStorage.clear());

async function widget(key: string) {
  const el = await streamWidgetFixture(key, { scenario: 'resume' });
  await connected(el);
  return el;
}

/** A frame of the conversation, numbered by the fixture and sent to every open socket of it. */
async function conv(key: string, frame: object) {
  await streamPost('/__conv', key, JSON.stringify(frame));
}

async function drop(key: string) {
  await streamPost('/__drop', key);
}

describe('chat-widget: resume after drops (multi-process server)', () => {
  it('continues a reply cut by a drop with exactly what it missed, once', async () => {
    const key = uniqueKey();
    const el = await widget(key);
    await conv(key, { type: 'stream-start', messageId: 'm1' });
    await conv(key, { type: 'stream-token', messageId: 'm1', token: 'Hel' });
    await until(() => messages(el, 'assistant')[0]?.textContent?.includes('Hel'), 'first part');
    await drop(key);
    await until(() => part(el, 'status')!.dataset.status !== 'connected', 'drop noticed');
    // While the tab is away, the conversation goes on (on another process, say).
    await conv(key, { type: 'stream-token', messageId: 'm1', token: 'lo **there**' });
    await conv(key, { type: 'stream-end', messageId: 'm1' });
    await connected(el);
    await until(
      () => messages(el, 'assistant')[0]?.dataset.state === 'complete',
      'completed after resume',
    );
    const reply = messages(el, 'assistant')[0]!;
    expect(reply.textContent).to.contain('Hello there');
    expect(reply.querySelector('strong')!.textContent).to.equal('there');
    expect(reply.dataset.note).to.equal(undefined);
    expect(messages(el, 'assistant')).to.have.length(1);
    const resumes = (await received(key)).filter((f) => f.type === 'resume');
    expect(resumes).to.deep.equal([{ type: 'resume', lastSeq: 2 }]);
  });

  it('syncs a reloaded tab with the whole conversation, and shows what it missed once', async () => {
    const key = uniqueKey();
    const el = await widget(key);
    await conv(key, { type: 'ai-response', messageId: 'a1', message: 'first' });
    await until(() => messages(el, 'assistant').length === 1, 'first');
    el.remove();
    await conv(key, { type: 'ai-response', messageId: 'a2', message: 'second' });
    const again = await widget(key);
    await until(() => messages(again, 'assistant').length === 2, 'missed one arrives');
    expect(
      messages(again, 'assistant').map((m) =>
        m.querySelector('[part="content"]')!.textContent!.trim(),
      ),
    ).to.deep.equal(['first', 'second']);
    const greetings = (await received(key)).filter((f) => f.type === 'sync' || f.type === 'resume');
    expect(greetings.map((f) => f.type)).to.deep.equal(['sync', 'sync']);
  });

  it('marks a reply whose producer died, and offers Retry', async () => {
    const key = uniqueKey();
    const el = await widget(key);
    await conv(key, { type: 'stream-start', messageId: 'm9' });
    await conv(key, { type: 'stream-token', messageId: 'm9', token: 'Half an ans' });
    await conv(key, { type: 'stream-end', messageId: 'm9', interrupted: true });
    await until(() => messages(el, 'assistant')[0]?.dataset.note === 'interrupted', 'interrupted');
    const retry = messages(el, 'assistant')[0]!.querySelector<HTMLButtonElement>('.meta button')!;
    expect(retry.textContent!.trim()).to.equal('Retry');
    await expect(el).to.be.accessible();
    retry.click();
    await until(async () => (await received(key)).some((f) => f.type === 'retry'), 'retry sent');
    expect((await received(key)).find((f) => f.type === 'retry')).to.include({ messageId: 'm9' });
    await el.updateComplete;
    expect(messages(el, 'assistant')[0]!.querySelector('.meta button')).to.equal(null);
  });

  it("takes the server's copy after a reload: finished since, or kept as cut off", async () => {
    const key = uniqueKey();
    const el = await widget(key);
    await conv(key, { type: 'stream-start', messageId: 'm1' });
    await conv(key, { type: 'stream-token', messageId: 'm1', token: 'Half' });
    await until(() => messages(el, 'assistant')[0]?.textContent?.includes('Half'), 'first part');
    el.remove();
    // While the tab reloads, the server finishes that reply and cuts another one short.
    await conv(key, { type: 'stream-token', messageId: 'm1', token: ' and the **rest**' });
    await conv(key, { type: 'stream-end', messageId: 'm1' });
    await conv(key, { type: 'stream-start', messageId: 'm2' });
    await conv(key, { type: 'stream-token', messageId: 'm2', token: 'Cut sh' });
    await conv(key, { type: 'stream-end', messageId: 'm2', interrupted: true });
    const again = await widget(key);
    await until(() => messages(again, 'assistant').length === 2, 'both replies');
    const [whole, cut] = messages(again, 'assistant');
    await until(() => whole!.textContent!.includes('Half and the rest'), 'the whole reply');
    expect(whole!.querySelector('strong')!.textContent).to.equal('rest');
    expect(whole!.dataset.note).to.equal(undefined);
    expect(whole!.querySelector('.meta button')?.textContent).to.equal(undefined);
    expect(cut!.dataset.note).to.equal('interrupted');
    expect(cut!.querySelector('.meta button')!.textContent!.trim()).to.equal('Retry');
    await expect(again).to.be.accessible();
  });

  it('offers Retry once for a reply, also after a reload', async () => {
    const key = uniqueKey();
    const el = await widget(key);
    await conv(key, { type: 'stream-start', messageId: 'm3' });
    await conv(key, { type: 'stream-token', messageId: 'm3', token: 'Cut' });
    await conv(key, { type: 'stream-end', messageId: 'm3', interrupted: true });
    await until(() => messages(el, 'assistant')[0]?.querySelector('.meta button'), 'Retry');
    messages(el, 'assistant')[0]!.querySelector<HTMLButtonElement>('.meta button')!.click();
    await until(async () => (await received(key)).some((f) => f.type === 'retry'), 'retry sent');
    el.remove();
    const again = await widget(key);
    // The sync has arrived once the server's position is known; the reply is still shown cut.
    await until(() => messages(again, 'assistant')[0]?.dataset.note === 'interrupted', 'restored');
    await until(
      async () => (await received(key)).filter((f) => f.type === 'sync').length === 2,
      'the reloaded tab synced',
    );
    await again.updateComplete;
    // Compared as text: a failing assertion on an element does not serialize it back to Node.
    const button = messages(again, 'assistant')[0]!.querySelector('.meta button');
    expect(button?.textContent?.trim()).to.equal(undefined);
  });

  it('reconnects at once when the server says it is going away', async () => {
    const key = uniqueKey();
    const el = await widget(key);
    const shakes = async () =>
      ((await (await fetch(`${streamHttp()}/__connections?key=${key}`)).json()) as unknown[])
        .length;
    expect(await shakes()).to.equal(1);
    await fetch(`${streamHttp()}/__send?key=${key}`, {
      method: 'POST',
      body: JSON.stringify({ type: 'reconnect' }),
    });
    // Backoff would wait at least 250 ms and show a countdown; this reconnects straight away.
    await until(async () => (await shakes()) === 2, 'second handshake', 1500);
    await connected(el);
  });
});

describe('chat-widget: a conversation the server lost', () => {
  it('keeps what it shows, tells the visitor, and goes on', async () => {
    const key = uniqueKey();
    const el = await streamWidgetFixture(key, { scenario: 'features' });
    await connected(el);
    await el.send('before');
    await until(() => messages(el, 'assistant')[0]?.dataset.state === 'complete', 'a reply');
    await streamPost('/__send', key, JSON.stringify({ type: 'conversation-reset' }));
    await until(() => messages(el, 'system').length === 1, 'the note');
    expect(messages(el, 'system')[0]!.textContent).to.contain('started a new conversation');
    expect(messages(el, 'user')[0]!.textContent).to.contain('before');
    await el.send('after');
    await until(() => messages(el, 'assistant').length === 2, 'the next reply');
    expect(part(el, 'error')).to.equal(null);
    await expect(el).to.be.accessible();
  });
});
