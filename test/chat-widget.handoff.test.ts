import { expect, oneEvent } from '@open-wc/testing';
import sinon from 'sinon';
import '../src/define.js';
import type { HandoffDetail } from '../src/events.js';
import {
  connected,
  messages,
  part,
  received,
  recordUncaught,
  typeAndSend,
  uniqueKey,
  until,
} from './helpers.js';
import { streamPost, streamWidgetFixture } from './helpers.js';

beforeEach(() => sessionStorage.clear());

async function widget(key: string, scenario = 'handoff', sync?: object) {
  const query = sync ? `&sync=${encodeURIComponent(JSON.stringify(sync))}` : '';
  const el = await streamWidgetFixture(key, { scenario, query, height: '520px' });
  await connected(el);
  return el;
}

async function push(key: string, frame: object) {
  await streamPost('/__send', key, JSON.stringify(frame));
}

describe('chat-widget: human handoff', () => {
  it('asks a server that announced sync for the conversation, and renders it', async () => {
    const key = uniqueKey();
    const el = await widget(key, 'handoff', {
      messages: [
        { messageId: 'u1', role: 'user', content: 'from my other tab', clientMessageId: 'other' },
        { messageId: 'r1', role: 'assistant', content: 'An **answer**' },
        { messageId: 'a1', role: 'agent', content: 'Maya here', agent: { name: 'Maya' } },
      ],
      handoff: { state: 'assigned', agent: { name: 'Maya' } },
    });
    await until(() => messages(el, 'agent').length === 1, 'synced transcript');
    expect((await received(key)).map((f) => f.type)).to.include('sync');
    expect(messages(el, 'user')[0]!.textContent).to.contain('from my other tab');
    expect(messages(el, 'assistant')[0]!.querySelector('strong')!.textContent).to.equal('answer');
    expect(messages(el, 'agent')[0]!.querySelector('[part="author"]')!.textContent).to.contain(
      'Maya',
    );
    expect(part(el, 'handoff')!.dataset.state).to.equal('assigned');
    // Reconnecting syncs again; nothing shows twice and the page hears of no change.
    const changes: HandoffDetail[] = [];
    el.addEventListener('chat-handoff', (e) => changes.push(e.detail));
    await streamPost('/__drop', key);
    await until(
      async () => (await received(key)).filter((f) => f.type === 'sync').length === 2,
      'second sync',
    );
    await connected(el);
    await until(() => messages(el).length === 3, 'settled');
    expect(messages(el)).to.have.length(3);
    expect(changes).to.deep.equal([]);
  });

  it('walks through queued, assigned and ended, as the banner, the header, the log and events', async () => {
    const key = uniqueKey();
    const el = await widget(key);
    const changes: HandoffDetail[] = [];
    el.addEventListener('chat-handoff', (e) => changes.push(e.detail));

    part(el, 'escalate-button')!.click();
    await until(
      async () => (await received(key)).some((f) => f.type === 'human-escalation'),
      'escalation',
    );
    await push(key, { type: 'handoff', state: 'queued', position: 2 });
    await until(() => part(el, 'handoff'), 'handoff banner');
    expect(part(el, 'handoff')!.dataset.state).to.equal('queued');
    expect(part(el, 'handoff')!.textContent).to.contain('number 2');
    // Asking again while waiting is not possible: the button is gone.
    expect(part(el, 'escalate-button')).to.equal(null);
    await expect(el).to.be.accessible();

    await push(key, { type: 'handoff', state: 'queued', position: 1 });
    await until(() => part(el, 'handoff')!.textContent!.includes('number 1'), 'queue moved');

    await push(key, { type: 'handoff', state: 'assigned', agent: { name: 'Maya' } });
    await until(() => part(el, 'handoff')?.dataset.state === 'assigned', 'assigned');
    expect(part(el, 'handoff')!.textContent).to.contain('Maya joined the chat.');
    expect(part(el, 'header')!.textContent).to.contain('Maya');

    await push(key, { type: 'agent-typing', active: true, agent: { name: 'Maya' } });
    await until(() => part(el, 'typing'), 'agent typing');
    expect(part(el, 'typing')!.textContent).to.contain('Maya is typing…');
    await push(key, {
      type: 'agent-message',
      messageId: 'a1',
      content: 'Hi, I can **help**.',
      agent: { name: 'Maya' },
    });
    await until(() => messages(el, 'agent').length === 1, 'agent message');
    const agentMessage = messages(el, 'agent')[0]!;
    expect(agentMessage.querySelector('strong')!.textContent).to.equal('help');
    expect(agentMessage.querySelector('[part="author"]')!.textContent).to.contain('Maya');
    expect(part(el, 'typing')).to.equal(null);
    await expect(el).to.be.accessible();

    // While a person has the chat, no assistant dots follow the visitor's message.
    await typeAndSend(el, 'thanks Maya');
    await until(async () => (await received(key)).some((f) => f.content === 'thanks Maya'), 'sent');
    await el.updateComplete;
    const typing = part(el, 'typing');
    expect(typing === null || !typing.textContent!.includes('Assistant')).to.be.true;

    await push(key, { type: 'handoff', state: 'ended' });
    await until(() => part(el, 'handoff') === null, 'banner gone');
    expect(messages(el, 'system').at(-1)!.textContent).to.contain(
      'Maya left the chat. The assistant is back.',
    );
    expect(part(el, 'escalate-button')).to.exist;
    expect(changes.map((c) => c.state)).to.deep.equal(['queued', 'queued', 'assigned', 'ended']);
    expect(changes[0]!.position).to.equal(2);
    expect(changes[2]!.agent).to.deep.equal({ name: 'Maya' });
  });

  it('tells the visitor at once when nobody is available, and takes a message for the team', async () => {
    const key = uniqueKey();
    const el = await widget(key);
    const event = oneEvent(el, 'chat-handoff');
    await push(key, { type: 'handoff', state: 'unavailable', reason: 'outside-hours' });
    expect((await event).detail.state).to.equal('unavailable');
    await until(() => part(el, 'handoff'), 'banner');
    expect(part(el, 'handoff')!.textContent).to.contain('outside our opening hours');
    (part(el, 'handoff')!.querySelector('button') as HTMLButtonElement).click();
    await el.updateComplete;
    await expect(el).to.be.accessible();
    const form = part(el, 'handoff')!.querySelector('form')!;
    (form.querySelector('[name="email"]') as HTMLInputElement).value = 'ana@example.com';
    (form.querySelector('[name="message"]') as HTMLTextAreaElement).value = 'Please call me back.';
    form.requestSubmit();
    await until(
      async () => (await received(key)).some((f) => f.type === 'leave-message'),
      'left message',
    );
    const left = (await received(key)).find((f) => f.type === 'leave-message')!;
    expect(left).to.include({ email: 'ana@example.com', message: 'Please call me back.' });
    await push(key, { type: 'left-message', ok: true });
    await until(() => part(el, 'handoff')!.textContent!.includes('get back to you'), 'thanks');
  });

  it('sends the visitor typing to a server that announced it, and stops on send', async () => {
    const key = uniqueKey();
    const el = await widget(key);
    const input = part(el, 'input') as HTMLTextAreaElement;
    input.value = 'hel';
    input.dispatchEvent(new InputEvent('input'));
    await until(
      async () => (await received(key)).some((f) => f.type === 'typing' && f.active === true),
      'typing on',
    );
    await typeAndSend(el, 'hello');
    await until(
      async () => (await received(key)).some((f) => f.type === 'typing' && f.active === false),
      'typing off',
    );
  });

  it('can be removed while the visitor is typing: the pause timer dies with it', async () => {
    const key = uniqueKey();
    const el = await widget(key);
    const uncaught = recordUncaught();
    const input = part(el, 'input') as HTMLTextAreaElement;
    input.value = 'half a thought';
    input.dispatchEvent(new InputEvent('input'));
    await until(
      async () => (await received(key)).some((f) => f.type === 'typing' && f.active === true),
      'typing on',
    );
    const clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      el.remove();
      // Long past the 3 s pause after which "stopped typing" would have gone out.
      clock.tick(10_000);
    } finally {
      clock.restore();
    }
    expect(uncaught).to.deep.equal([]);
    expect((await received(key)).filter((f) => f.type === 'typing')).to.have.length(1);
  });

  it('sends no extension frame to a strict stream.md server', async () => {
    const key = uniqueKey();
    const el = await widget(key, 'strict');
    const input = part(el, 'input') as HTMLTextAreaElement;
    input.value = 'typing away';
    input.dispatchEvent(new InputEvent('input'));
    await typeAndSend(el, 'hello strict server');
    part(el, 'escalate-button')!.click();
    await until(() => messages(el, 'system').length === 1, 'escalation answer');
    await until(() => messages(el, 'assistant')[0]?.dataset.state === 'complete', 'reply');
    const types = (await received(key)).map((f) => f.type);
    expect(
      types.every((t) => ['chat', 'human-escalation', 'ping'].includes(t as string)),
      types.join(),
    ).to.be.true;
    expect(part(el, 'error')).to.equal(null);
  });
});
