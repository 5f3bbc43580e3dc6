import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import {
  COPIED_FEEDBACK_MS,
  StreamingMarkdown,
  attachMarkdownBehavior,
  renderMarkdown,
} from '../../src/markdown/index.js';
import { OPTIONS, outer, render } from './helpers.js';

const LABELS = { copy: 'Kopieren', copied: 'Kopiert', codeBlock: 'Codeblock' };

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

describe('code block copy buttons', () => {
  let container: HTMLDivElement;
  let md: StreamingMarkdown;
  let writeText: sinon.SinonStub;
  let clock: sinon.SinonFakeTimers | undefined;

  beforeEach(() => {
    container = document.createElement('div');
    document.body.append(container);
    md = new StreamingMarkdown(container, { ...OPTIONS, labels: LABELS });
    writeText = sinon.stub(navigator.clipboard, 'writeText').resolves();
  });

  afterEach(() => {
    clock?.restore();
    clock = undefined;
    writeText.restore();
    md.dispose();
    container.remove();
  });

  it('adds a labelled type=button button to every code block, nothing inline', () => {
    md.finish('```js\nconst a = 1 < 2;\n```\n\n- item\n\n  ```\n  nested\n  ```\n\n`inline` code');
    const buttons = Array.from(container.querySelectorAll('button'));
    expect(buttons.length).to.equal(2);
    for (const button of buttons) {
      expect(button.getAttribute('type')).to.equal('button');
      expect(button.textContent).to.equal('Kopieren');
      expect(Array.from(button.attributes).some((a) => a.name.startsWith('on'))).to.equal(false);
    }
    const group = container.querySelector('[part="code-block"]')!;
    expect(group.getAttribute('role')).to.equal('group');
    expect(group.getAttribute('aria-label')).to.equal('Codeblock');
    expect(group.getAttribute('data-lang')).to.equal('js');
  });

  it('copies the code text and says so briefly', async () => {
    clock = sinon.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    md.finish('Run:\n\n```sh\nnpm install <pkg> && echo "done"\n```\n');
    const button = container.querySelector('button')!;
    button.click();
    expect(writeText.calledOnceWithExactly('npm install <pkg> && echo "done"')).to.equal(true);
    await settle();
    expect(button.textContent).to.equal('Kopiert');
    clock.tick(COPIED_FEEDBACK_MS + 1);
    expect(button.textContent).to.equal('Kopieren');
  });

  it('keeps the label when the clipboard refuses', async () => {
    writeText.rejects(new DOMException('denied', 'NotAllowedError'));
    md.finish('```\nx\n```');
    container.querySelector('button')!.click();
    await settle();
    expect(container.querySelector('button')!.textContent).to.equal('Kopieren');
  });

  it('works on a code block that is still streaming', () => {
    md.update('```py\nprint("hel');
    container.querySelector('button')!.click();
    expect(writeText.calledOnceWithExactly('print("hel')).to.equal(true);
  });

  it('cannot be faked by a message', () => {
    md.finish('<button data-copy-code type="button">Kopieren</button> <pre>x</pre>');
    expect(outer(container.querySelector('button'))).to.equal(null);
    const sanitized = render('<div part="code-block"><button data-copy-code>x</button></div>');
    expect(outer(sanitized.querySelector('button, div'))).to.equal(null);
  });

  it('stops reacting after dispose', () => {
    md.finish('```\nx\n```');
    md.dispose();
    container.querySelector('button')!.click();
    expect(writeText.called).to.equal(false);
  });

  it('can be wired to a one-shot render by the caller', () => {
    const host = document.createElement('div');
    host.append(renderMarkdown('```\none-shot\n```', OPTIONS));
    const detach = attachMarkdownBehavior(host);
    host.querySelector('button')!.click();
    detach();
    expect(host.querySelector('button')!.textContent).to.equal('Copy');
    expect(writeText.calledOnceWithExactly('one-shot')).to.equal(true);
  });
});
