// Runs under an enforced Trusted Types CSP (each test file gets its own page), as a host page
// with a strict CSP would: `require-trusted-types-for 'script'; trusted-types chat-widget-markdown`.
import { expect } from '@open-wc/testing';
import sinon from 'sinon';
import {
  StreamingMarkdown,
  TRUSTED_TYPES_POLICY_NAME,
  renderMarkdown,
} from '../../src/markdown/index.js';
import { OPTIONS } from './helpers.js';

interface Factory {
  createPolicy: (...args: unknown[]) => unknown;
}
const factory = (window as unknown as { trustedTypes: Factory }).trustedTypes;
const createPolicy = sinon.spy(factory, 'createPolicy');

const meta = document.createElement('meta');
meta.httpEquiv = 'Content-Security-Policy';
meta.content = `require-trusted-types-for 'script'; trusted-types ${TRUSTED_TYPES_POLICY_NAME}`;
document.head.append(meta);

describe('markdown under an enforced Trusted Types policy', () => {
  it('is really enforced on this page', () => {
    expect(() => {
      document.createElement('div').innerHTML = '<b>x</b>';
    }).to.throw(TypeError);
  });

  it('renders markdown through its own named policy only', () => {
    const div = document.createElement('div');
    div.append(
      renderMarkdown(
        '**bold** [link](https://example.com) ![i](https://img.example.com/a.png)',
        OPTIONS,
      ),
    );
    const container = document.createElement('div');
    const md = new StreamingMarkdown(container, OPTIONS);
    md.update('# Title\n\n```js\nx');
    md.finish('# Title\n\n```js\nx\n```\n');
    expect(div.querySelector('strong')!.textContent).to.equal('bold');
    expect(div.querySelector('a')!.getAttribute('href')).to.equal('https://example.com/');
    expect(div.querySelector('img')!.getAttribute('src')).to.equal('https://img.example.com/a.png');
    expect(container.querySelector('h1')!.textContent).to.equal('Title');
    expect(container.querySelector('button')!.textContent).to.equal('Copy');
    expect(createPolicy.args.map((args) => args[0])).to.deep.equal([TRUSTED_TYPES_POLICY_NAME]);
  });
});
