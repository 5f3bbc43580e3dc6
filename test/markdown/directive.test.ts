import { expect, fixture } from '@open-wc/testing';
import { html, render as litRender, type TemplateResult } from 'lit';
import sinon from 'sinon';
import { markdown, type MarkdownDirectiveOptions } from '../../src/markdown/index.js';
import { IMAGE_HOST, render } from './helpers.js';

function message(text: string, options: Partial<MarkdownDirectiveOptions> = {}): TemplateResult {
  const opts = { imageHosts: [IMAGE_HOST], streaming: true, ...options };
  return html`<div part="content" ${markdown(text, opts)}></div>`;
}

describe('markdown() directive', () => {
  let host: HTMLElement;

  beforeEach(async () => {
    host = await fixture(html`<section></section>`);
  });

  it('streams into the element it is bound to and settles on the one-shot render', () => {
    const text = '# Hi\n\nSome **bold** text and a list:\n\n- a\n- b\n\n```js\nx()\n```\n';
    for (let i = 1; i <= text.length; i += 4) litRender(message(text.slice(0, i)), host);
    const content = host.querySelector('[part="content"]')!;
    expect(content.querySelector('h1')!.textContent).to.equal('Hi');
    litRender(message(text, { streaming: false }), host);
    expect(host.querySelector('[part="content"]')).to.equal(content);
    expect(content.innerHTML).to.equal(render(text).innerHTML);
  });

  it('leaves the children alone on re-renders with the same content', () => {
    litRender(message('**done**', { streaming: false }), host);
    const content = host.querySelector('[part="content"]')!;
    const observer = new MutationObserver(() => {});
    observer.observe(content, {
      subtree: true,
      childList: true,
      attributes: true,
      characterData: true,
    });
    litRender(message('**done**', { streaming: false }), host);
    litRender(message('**done**', { streaming: false }), host);
    expect(observer.takeRecords().length).to.equal(0);
    observer.disconnect();
  });

  it('re-renders when options change', () => {
    litRender(message('```\nx\n```', { streaming: false }), host);
    litRender(
      message('```\nx\n```', { streaming: false, labels: { copy: 'Copier', copied: 'Copié' } }),
      host,
    );
    expect(host.querySelector('button')!.textContent).to.equal('Copier');
  });

  it('releases its renderer when the element goes away', () => {
    const writeText = sinon.stub(navigator.clipboard, 'writeText').resolves();
    try {
      litRender(message('```\nx\n```', { streaming: false }), host);
      const button = host.querySelector('button')!;
      litRender(html`<p>gone</p>`, host);
      button.click();
      expect(writeText.called).to.equal(false);
    } finally {
      writeText.restore();
    }
  });

  it('comes back to life when the host is reconnected', () => {
    const writeText = sinon.stub(navigator.clipboard, 'writeText').resolves();
    const wrapper = document.createElement('div');
    document.body.append(wrapper);
    try {
      const part = litRender(message('```\nagain\n```', { streaming: false }), wrapper);
      part.setConnected(false);
      wrapper.querySelector('button')!.click();
      expect(writeText.called).to.equal(false);
      part.setConnected(true);
      wrapper.querySelector('button')!.click();
      expect(writeText.calledOnceWithExactly('again')).to.equal(true);
      expect(wrapper.querySelectorAll('pre').length).to.equal(1);
    } finally {
      writeText.restore();
      wrapper.remove();
    }
  });

  it('refuses to be used anywhere but on an element', () => {
    expect(() =>
      litRender(html`<p>${markdown('x', { imageHosts: [], streaming: false })}</p>`, host),
    ).to.throw(/element/);
  });
});
