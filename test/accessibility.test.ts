import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia, sendKeys, setViewport } from '@web/test-runner-commands';
import '../src/define.js';
import type { ChatWidget } from '../src/chat-widget.js';
import { connected, part, streamUrl, uniqueKey, until } from './helpers.js';

const TOKEN = 'stream-token';

afterEach(async () => {
  await emulateMedia({ reducedMotion: 'no-preference', colorScheme: 'light' });
  await setViewport({ width: 800, height: 600 });
});

describe('accessibility', () => {
  it('works from the keyboard alone: Enter opens, focus goes to the input, Escape returns to the launcher, Space reopens', async () => {
    const el = await fixture<ChatWidget>(
      html`<chat-widget server=${streamUrl(uniqueKey())} token=${TOKEN}></chat-widget>`,
    );
    part(el, 'launcher')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(() => el.open, 'opened');
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'input'));
    await sendKeys({ type: 'hi there' });
    await sendKeys({ press: 'Escape' });
    await until(() => !el.open, 'closed');
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'launcher'));
    await sendKeys({ press: 'Space' });
    await until(() => el.open, 'reopened');
    await el.updateComplete;
    // The draft survived closing the panel.
    expect((part(el, 'input') as HTMLTextAreaElement).value).to.equal('hi there');
    await sendKeys({ press: 'Enter' });
    await until(() => el.shadowRoot!.querySelector('[part~="user"]'), 'sent from the keyboard');
  });

  it('turns animations off for people who prefer reduced motion', async () => {
    await emulateMedia({ reducedMotion: 'reduce' });
    const key = uniqueKey();
    const el = await fixture<ChatWidget>(
      html`<chat-widget
        mode="inline"
        server=${streamUrl(key, 'hold')}
        token=${TOKEN}
      ></chat-widget>`,
    );
    await connected(el);
    await el.send('anyone?');
    await until(() => part(el, 'typing'), 'typing');
    const dot = part(el, 'typing')!.querySelector('.dots span')!;
    expect(getComputedStyle(dot).animationName).to.equal('none');
    await emulateMedia({ reducedMotion: 'no-preference' });
    expect(getComputedStyle(dot).animationName).to.equal('blink');
  });

  it('follows the system dark scheme in theme="auto", and passes axe there', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const el = await fixture<ChatWidget>(
      html`<chat-widget
        mode="inline"
        server=${streamUrl(uniqueKey())}
        token=${TOKEN}
      ></chat-widget>`,
    );
    await connected(el);
    expect(getComputedStyle(part(el, 'panel')!).backgroundColor).to.equal('rgb(13, 17, 23)');
    await expect(el).to.be.accessible();
  });

  it('stays usable at 200% zoom (half the CSS viewport): the panel fits and the input shows', async () => {
    await setViewport({ width: 640, height: 400 });
    const el = await fixture<ChatWidget>(
      html`<chat-widget open server=${streamUrl(uniqueKey())} token=${TOKEN}></chat-widget>`,
    );
    const panel = part(el, 'panel')!.getBoundingClientRect();
    expect(panel.top).to.be.at.least(0);
    expect(panel.left).to.be.at.least(0);
    expect(panel.right).to.be.at.most(640);
    const input = part(el, 'input')!.getBoundingClientRect();
    expect(input.bottom).to.be.at.most(400);
    expect(input.height).to.be.greaterThan(10);
  });
});
