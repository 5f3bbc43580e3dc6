import { expect } from '@open-wc/testing';
import { Lexer } from 'marked';
import sinon from 'sinon';
import {
  DEFAULT_MAX_LENGTH,
  StreamingMarkdown,
  renderPlainText,
  toPlainText,
  truncateMarkdown,
} from '../../src/markdown/index.js';
import { PathologyScanner, PLAIN_CHUNK_LINES } from '../../src/markdown/parse.js';
import { OPTIONS, outer, render } from './helpers.js';

/** Renders and reports how long it took; the guards must keep hostile input cheap. */
function timed(text: string): { div: HTMLDivElement; ms: number } {
  const start = performance.now();
  const div = render(text);
  return { div, ms: performance.now() - start };
}

describe('markdown guards', function () {
  this.timeout(30_000);

  describe('pathological input falls back to plain text, fast', () => {
    const hostile: [string, string][] = [
      ['5,000 nested quotes', '>'.repeat(5000) + ' deep'],
      ['5,000 nested list markers', '- '.repeat(5000) + 'deep'],
      ['5,000 nested ordered markers', '1. '.repeat(5000) + 'deep'],
      ['quote and list nesting', '> - '.repeat(3000) + 'deep'],
      [
        'a list indented 200 levels deep',
        Array.from({ length: 200 }, (_, i) => ' '.repeat(2 * i) + '- deep').join('\n'),
      ],
      ['mixed emphasis delimiters', '_a*'.repeat(20_000)],
      ['underscore runs', '_a'.repeat(40_000)],
      ['star runs', '*a'.repeat(45_000)],
      ['emphasis spread over paragraphs', ('_a*'.repeat(300) + '\n\n').repeat(60)],
      ['emphasis down a list', '- **$*$\n'.repeat(10_000).replace(/^- /gm, '')],
      ['one long word with many token starts', 'a!'.repeat(50_000)],
      ['dotted words with token starts', 'a.a!'.repeat(25_000)],
      ['bracket soup', '])[](['.repeat(16_000)],
      ['25,000 one-line list items', '- a\n'.repeat(25_000)],
      ['25,000 headings', '# a\n'.repeat(25_000)],
    ];
    for (const [name, text] of hostile) {
      it(`renders ${name} as text in well under a second`, () => {
        const { div, ms } = timed(text);
        expect(ms).to.be.lessThan(750);
        // Plain text: paragraphs of text nodes, the input visible as typed.
        expect(
          Array.from(div.querySelectorAll('*')).every((el) => /^(P|BR)$/.test(el.nodeName)),
        ).to.equal(true);
        expect(div.textContent!.replace(/\s+/g, '')).to.equal(text.replace(/\s+/g, ''));
      });
    }

    it('keeps ordinary deep-ish structure and code full of underscores as markdown', () => {
      const nested = Array.from({ length: 8 }, (_, i) => '  '.repeat(i) + '- level ' + i).join(
        '\n',
      );
      const code =
        '```python\n' +
        'def __init__(self, **kwargs): self.__dict__ = {**kwargs}\n'.repeat(400) +
        '```\n';
      const prose = Array.from({ length: 30 }, (_, i) => `Item *${i}* is **bold** and _em_.`).join(
        '\n\n',
      );
      const div = render(`${nested}\n\n${code}\n${prose}\n\n> > > quoted`);
      expect(div.querySelectorAll('ul').length).to.equal(8);
      expect(div.querySelector('pre code')!.textContent!.split('\n').length).to.equal(401);
      expect(div.querySelectorAll('strong').length).to.equal(30);
      expect(div.querySelectorAll('blockquote').length).to.equal(3);
    });

    const fakeFences: [string, string][] = [
      // four spaces: an indented code line for marked, not a fence
      ['an over-indented fence', '    ```\n'],
      // the fence belongs to the list item, which the unindented line after it ends
      ['a fence in a list item', '- item\n\n  ```\n'],
      ['a backtick fence with a backtick in its info string', '``` a`b\n'],
    ];
    for (const [name, prefix] of fakeFences) {
      it(`does not let ${name} hide emphasis from the scan`, () => {
        const text = prefix + '_a*'.repeat(20_000);
        const { ms } = timed(text);
        expect(ms).to.be.lessThan(750);
        const scanner = new PathologyScanner();
        scanner.push(text);
        expect(scanner.pathological).to.equal(true);
      });
    }

    it('switches a stream to plain text when hostile text arrives, and settles like one-shot', () => {
      const container = document.createElement('div');
      const md = new StreamingMarkdown(container, OPTIONS);
      const text = '# Title\n\nSome **bold** text.\n\n' + '>'.repeat(3000) + ' deep';
      const start = performance.now();
      for (let i = 0; i < text.length; i += 50) md.update(text.slice(0, i));
      md.finish(text);
      expect(performance.now() - start).to.be.lessThan(5000);
      expect(outer(container.querySelector('h1, strong, blockquote'))).to.equal(null);
      expect(container.innerHTML).to.equal(render(text).innerHTML);
    });

    it('streams a huge plain fallback chunk by chunk, ending as one-shot does', () => {
      // Too deep for markdown from its first line, so all of it streams as plain text. One <p>
      // of 10,000 lines would be laid out whole on every append.
      const text =
        '>'.repeat(40) +
        ' deep\n\n' +
        'a\n=\n'.repeat(5000) +
        '\n\n' +
        'b\n-\n'.repeat(5000) +
        'end';
      const container = document.createElement('div');
      const md = new StreamingMarkdown(container, OPTIONS);
      let early: Element | undefined;
      for (let i = 0; i < text.length; i += 997) {
        md.update(text.slice(0, i));
        early ??= container.querySelector('p[data-chunk="first"]') ?? undefined;
      }
      md.finish(text);
      const oneShot = render(text);
      expect(container.innerHTML).to.equal(oneShot.innerHTML);
      expect(md.stats.finishRepairs).to.equal(0);
      const chunks = Array.from(oneShot.querySelectorAll('p'));
      // One line, then paragraphs of 10,000 and 10,001 lines.
      expect(chunks.length).to.equal(1 + 2 * (10_000 / PLAIN_CHUNK_LINES) + 1);
      expect(chunks.map((p) => p.dataset.chunk).slice(0, 3)).to.deep.equal([
        undefined,
        'first',
        'next',
      ]);
      expect(chunks[101]!.dataset.chunk).to.equal('first');
      expect(chunks[101]!.textContent).to.match(/^b-b-/);
      expect(chunks.at(-2)!.textContent).to.equal('b-'.repeat(PLAIN_CHUNK_LINES / 2));
      expect(chunks.at(-1)!.textContent).to.equal('end');
      // A chunk, once complete, is never rebuilt: the node seen early is still the one shown.
      expect(container.contains(early!)).to.equal(true);
      expect(md.stats.blocksRendered).to.be.below(chunks.length * 2);
    });

    it('falls back to plain text when marked throws', () => {
      const lex = sinon
        .stub(Lexer.prototype, 'lex')
        .throws(new RangeError('Maximum call stack size exceeded'));
      try {
        const div = render('**not bold** <b>x</b>\n\nsecond paragraph');
        expect(Array.from(div.querySelectorAll('p')).map((p) => p.textContent)).to.deep.equal([
          '**not bold** <b>x</b>',
          'second paragraph',
        ]);
        const container = document.createElement('div');
        const md = new StreamingMarkdown(container, OPTIONS);
        md.update('*a*');
        md.update('*a* b');
        expect(container.textContent!.trim()).to.equal('*a* b');
      } finally {
        lex.restore();
      }
      expect(lex.called).to.equal(true);
    });
  });

  describe('length cap', () => {
    it('cuts at 100,000 characters by default and flags the container', () => {
      expect(DEFAULT_MAX_LENGTH).to.equal(100_000);
      const text = 'word '.repeat(30_000);
      const container = document.createElement('div');
      const md = new StreamingMarkdown(container, OPTIONS);
      md.finish(text);
      expect(md.truncated).to.equal(true);
      expect(container.hasAttribute('data-truncated')).to.equal(true);
      expect(container.textContent!.trim().length).to.equal(100_000 - 1);
    });

    it('honours maxLength while streaming and ignores everything past it', () => {
      const container = document.createElement('div');
      const md = new StreamingMarkdown(container, { ...OPTIONS, maxLength: 20 });
      md.update('0123456789');
      expect(container.hasAttribute('data-truncated')).to.equal(false);
      md.update('0123456789abcdefghijKLMN');
      expect(container.hasAttribute('data-truncated')).to.equal(true);
      expect(container.textContent!.trim()).to.equal('0123456789abcdefghij');
      const stats = { ...md.stats };
      md.update('0123456789abcdefghijKLMNOPQRSTUVWXYZ'.repeat(100));
      expect(md.stats).to.deep.equal(stats);
      md.update('short again');
      expect(container.hasAttribute('data-truncated')).to.equal(false);
    });

    it('never cuts a surrogate pair in half', () => {
      expect(truncateMarkdown('ab😀cd', 3)).to.deep.equal({ text: 'ab', truncated: true });
      expect(truncateMarkdown('ab😀cd', 4)).to.deep.equal({ text: 'ab😀', truncated: true });
      expect(truncateMarkdown('abc', 3)).to.deep.equal({ text: 'abc', truncated: false });
    });
  });

  describe('plain text helpers', () => {
    it('renderPlainText makes paragraphs and line breaks from text nodes only', () => {
      const div = document.createElement('div');
      div.append(renderPlainText('a <b>\nline two\n\n\nnext **para**'));
      expect(div.innerHTML).to.equal('<p>a &lt;b&gt;<br>line two</p>\n<p>next **para**</p>\n');
    });

    it('toPlainText gives the readable text of a message', () => {
      const text =
        '# Title\n\nSome **bold** and [a link](https://example.com).\n\n- one\n- two\n\n' +
        '![chart](https://img.example.com/c.png)\n\n```js\nconst a = 1;\n```\n\n[bad](javascript:x)';
      expect(toPlainText(text, OPTIONS)).to.equal(
        'Title\n\nSome bold and a link.\n\none\ntwo\n\nchart\n\nconst a = 1;\n\nbad',
      );
    });
  });
});
