// A host page whose Trusted Types CSP allows no policy at all: markdown must degrade to text,
// never throw and never fall back to a string sink.
import { expect } from '@open-wc/testing';
import { StreamingMarkdown, renderMarkdown } from '../../src/markdown/index.js';
import { OPTIONS } from './helpers.js';

const meta = document.createElement('meta');
meta.httpEquiv = 'Content-Security-Policy';
meta.content = "require-trusted-types-for 'script'; trusted-types 'none'";
document.head.append(meta);

describe('markdown when Trusted Types refuse every policy', () => {
  it('shows the text instead of HTML', () => {
    const div = document.createElement('div');
    div.append(renderMarkdown('**bold** <b>x</b>\n\nsecond', OPTIONS));
    expect(Array.from(div.querySelectorAll('*')).map((el) => el.nodeName)).to.deep.equal([
      'P',
      'P',
    ]);
    expect(div.textContent).to.equal('**bold** <b>x</b>\nsecond\n');
    const container = document.createElement('div');
    const md = new StreamingMarkdown(container, OPTIONS);
    md.update('*a');
    md.finish('*a*');
    expect(container.textContent!.trim()).to.equal('*a*');
  });
});
