import { expect } from '@open-wc/testing';
import { StreamingMarkdown } from '../../src/markdown/index.js';
import { TAIL_RENDER_ALWAYS, TAIL_RENDER_GROWTH } from '../../src/markdown/streaming.js';
import { seededRandom } from '../seeded-random.js';
import { OPTIONS, longDocument, outer, randomCuts, render } from './helpers.js';

function streamer(): { container: HTMLDivElement; md: StreamingMarkdown } {
  const container = document.createElement('div');
  return { container, md: new StreamingMarkdown(container, OPTIONS) };
}

/** Streams `text` cut at `cuts`, then finishes; returns the container and renderer. */
function stream(
  text: string,
  cuts: number[],
): { container: HTMLDivElement; md: StreamingMarkdown } {
  const s = streamer();
  for (const cut of cuts) s.md.update(text.slice(0, cut));
  s.md.finish(text);
  return s;
}

/** Offsets just inside the first occurrence of each needle, so a chunk ends there. */
function cutsInside(text: string, needles: string[]): number[] {
  return needles.map((needle) => {
    const at = text.indexOf(needle);
    if (at < 0) throw new Error(`fixture lacks ${needle}`);
    return at + Math.ceil(needle.length / 2);
  });
}

describe('StreamingMarkdown', () => {
  describe('an 8,000-token answer streamed in small pieces', function () {
    this.timeout(120_000);

    const text = longDocument();
    const awkward = cutsInside(text, [
      '**step 1**', // inside bold
      '```ts\nexport', // inside a fence opener
      '\n```\n\n- [x]', // inside a fence closer
      '[link](https://example.com/page/1', // mid link
      '| beta | 2 |', // mid table row
      '[reference link][docs]', // mid reference
      'Setext heading 1\n---', // before the underline is complete
    ]);
    const cuts = [...new Set([...randomCuts(text, 7, 24), ...awkward])].sort((a, b) => a - b);
    const container = document.createElement('div');
    document.body.append(container);
    const md = new StreamingMarkdown(container, OPTIONS);
    const removed = new Set<Node>();
    const observer = new MutationObserver((records) => {
      for (const r of records) for (const node of Array.from(r.removedNodes)) removed.add(node);
    });
    let early: Element[] = [];
    let middle: Element[] = [];
    let beforeFinish = '';

    before(() => {
      observer.observe(container, { childList: true });
      cuts.forEach((cut, i) => {
        md.update(text.slice(0, cut));
        // Everything but the last few blocks is settled at these points.
        if (i === Math.floor(cuts.length / 4)) early = Array.from(container.children).slice(0, -3);
        if (i === Math.floor(cuts.length / 2)) middle = Array.from(container.children).slice(0, -3);
      });
      beforeFinish = container.innerHTML;
      md.finish(text);
      observer.takeRecords().forEach((r) => r.removedNodes.forEach((n) => removed.add(n)));
      observer.disconnect();
    });
    after(() => {
      md.dispose();
      container.remove();
    });

    it('is at least 8,000 tokens long and streamed in hundreds of updates', () => {
      expect(text.length).to.be.greaterThan(32_000);
      expect(cuts.length).to.be.greaterThan(1000);
    });

    it('ends identical to a one-shot render', () => {
      expect(container.innerHTML).to.equal(render(text).innerHTML);
    });

    it('needed no repair at finish: the streamed DOM already matched', () => {
      expect(beforeFinish).to.equal(render(text).innerHTML);
      expect(md.stats.finishRepairs).to.equal(0);
    });

    it('never rebuilt settled blocks: the early nodes are the same objects, never removed', () => {
      expect(early.length).to.be.greaterThan(20);
      expect(middle.length).to.be.greaterThan(early.length);
      const now = Array.from(container.children);
      expect(now.slice(0, early.length)).to.deep.equal(early);
      expect(now.slice(0, middle.length)).to.deep.equal(middle);
      expect([...early, ...middle].filter((node) => removed.has(node)).length).to.equal(0);
    });

    it('lexed each character a bounded number of times, not the whole text per update', () => {
      const naive = cuts.reduce((sum, cut) => sum + cut, 0);
      // Each update re-lexes only the unsettled tail: about one block, not the document.
      expect(md.stats.charsLexed).to.be.lessThan(naive / 50);
      expect(md.stats.charsLexed).to.be.lessThan(text.length * 40);
      expect(md.stats.tailRenders).to.be.at.most(cuts.length);
      expect(md.stats.fullRenders).to.equal(0);
    });
  });

  describe('one huge block', () => {
    it('re-renders a long growing block geometrically less often, linear in total', () => {
      const lines = Array.from({ length: 3000 }, (_, i) => `line_${i} = compute(${i}) * 2;`);
      const text = 'Code:\n\n```python\n' + lines.join('\n') + '\n```\n\nDone.';
      const { container, md } = streamer();
      let shown = 0;
      let lexedBeforeLong = -1;
      for (const cut of randomCuts(text, 11, 60)) {
        md.update(text.slice(0, cut));
        if (lexedBeforeLong < 0 && cut > TAIL_RENDER_ALWAYS) lexedBeforeLong = md.stats.charsLexed;
        const now = container.querySelector('code')?.textContent?.length ?? 0;
        expect(now).to.be.at.least(shown); // never goes backwards
        shown = now;
      }
      expect(shown).to.be.greaterThan(text.length * 0.85);
      expect(md.stats.deferredRenders).to.be.greaterThan(0);
      // Past the always-render size, renders of the growing block form a geometric series.
      const growth = 1 + 1 / TAIL_RENDER_GROWTH;
      expect(md.stats.charsLexed - lexedBeforeLong).to.be.lessThan(text.length * (growth + 2));
      md.finish(text);
      expect(container.innerHTML).to.equal(render(text).innerHTML);
      expect(md.stats.finishRepairs).to.equal(0);
    });

    it('shows the whole of a long block at finish even if the last update was deferred', () => {
      const text = '- item\n'.repeat(4000);
      const { container, md } = streamer();
      md.update(text.slice(0, 20_000));
      md.update(text.slice(0, 20_010));
      expect(md.stats.deferredRenders).to.equal(1);
      md.finish(text.slice(0, 20_010));
      expect(container.innerHTML).to.equal(render(text.slice(0, 20_010)).innerHTML);
    });
  });

  describe('partial markdown mid-stream', () => {
    it('shows an unclosed fence as a code block in progress', () => {
      const { container, md } = streamer();
      md.update('Here:\n\n```python\ndef f(x):\n    return x *');
      expect(container.querySelector('pre code.language-python')!.textContent).to.equal(
        'def f(x):\n    return x *\n',
      );
      md.finish('Here:\n\n```python\ndef f(x):\n    return x * 2\n```\n');
      expect(container.innerHTML).to.equal(
        render('Here:\n\n```python\ndef f(x):\n    return x * 2\n```\n').innerHTML,
      );
    });

    it('shows **bold without its end as text, then bold once closed', () => {
      const { container, md } = streamer();
      md.update('This is **very');
      expect(outer(container.querySelector('strong'))).to.equal(null);
      expect(container.textContent).to.include('**very');
      md.finish('This is **very** good');
      expect(container.querySelector('strong')!.textContent).to.equal('very');
    });

    it('shows half a link as its text until the destination is complete', () => {
      const { container, md } = streamer();
      md.update('See [the docs](https://example.com/do');
      expect(container.textContent).to.include('[the docs]');
      // GFM autolinks the bare URL part meanwhile, as it would in any finished text.
      expect(Array.from(container.querySelectorAll('a')).map((a) => a.textContent)).to.not.include(
        'the docs',
      );
      md.finish('See [the docs](https://example.com/docs).');
      expect(container.querySelector('a')!.getAttribute('href')).to.equal(
        'https://example.com/docs',
      );
      expect(container.querySelector('a')!.textContent).to.equal('the docs');
    });

    it('shows half a table sensibly and the whole table at the end', () => {
      const { container, md } = streamer();
      md.update('| a | b |\n|---|--');
      expect(container.textContent).to.include('a');
      md.update('| a | b |\n|---|---|\n| 1 | 2 |\n| 3 |');
      expect(container.querySelectorAll('tbody tr').length).to.be.at.least(1);
      md.finish('| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n');
      expect(container.innerHTML).to.equal(
        render('| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n').innerHTML,
      );
    });
  });

  describe('settling', () => {
    it('repairs at finish what only the whole text decides: a reference defined after use', () => {
      const text = 'See [the guide][g] first.\n\nMore text.\n\n[g]: https://example.com/guide\n';
      const { container, md } = stream(text, randomCuts(text, 3, 4));
      expect(md.stats.finishRepairs).to.equal(1);
      expect(container.innerHTML).to.equal(render(text).innerHTML);
      expect(container.querySelector('a')!.getAttribute('href')).to.equal(
        'https://example.com/guide',
      );
    });

    it('uses definitions from settled blocks for references in later blocks', () => {
      const { container, md } = streamer();
      md.update('[g]: https://example.com/guide\n\nFirst paragraph.\n\nSee [the guide][g]');
      expect(container.querySelector('a')!.getAttribute('href')).to.equal(
        'https://example.com/guide',
      );
      expect(md.stats.charsLexed).to.be.lessThan(200);
    });

    it('re-renders when the text is not an extension of the previous text', () => {
      const { container, md } = streamer();
      md.update('# Old title\n\nold body');
      md.update('# New title\n\nnew');
      expect(container.innerHTML).to.equal(render('# New title\n\nnew').innerHTML);
      md.finish('Different *entirely*');
      expect(container.innerHTML).to.equal(render('Different *entirely*').innerHTML);
    });

    it('joins a CRLF split across two updates', () => {
      const text = 'line one\r\n\r\n- a\r\n- b\r\n';
      const cuts = Array.from({ length: text.length }, (_, i) => i + 1);
      const { container } = stream(text, cuts);
      expect(container.innerHTML).to.equal(render(text).innerHTML);
      expect(container.innerHTML).to.equal(render(text.replace(/\r/g, '')).innerHTML);
    });

    it('does nothing for repeated update or finish calls with the same text', () => {
      const { container, md } = streamer();
      const text = '# T\n\nbody with `code`\n\n```\nx\n```\n';
      md.finish(text);
      const stats = { ...md.stats };
      const observer = new MutationObserver(() => {});
      observer.observe(container, {
        subtree: true,
        childList: true,
        attributes: true,
        characterData: true,
      });
      md.finish(text);
      md.update(text);
      md.finish(text);
      expect(observer.takeRecords().length).to.equal(0);
      observer.disconnect();
      expect(md.stats).to.deep.equal(stats);
    });

    it('checks the end of a long stream without lexing the whole text again', () => {
      const text = longDocument();
      const { md, container } = streamer();
      for (const cut of randomCuts(text, 11, 400)) md.update(text.slice(0, cut));
      md.update(text);
      const before = md.stats.charsLexed;
      md.finish(text);
      const checked = md.stats.charsLexed - before;
      // The old check lexed all of it at once (20-70 ms at 8,000 tokens): a long task.
      console.log(`[markdown] end-of-stream check lexed ${checked} of ${text.length} characters`);
      expect(checked, `${checked} of ${text.length} characters`).to.be.below(text.length / 4);
      expect(container.innerHTML).to.equal(render(text).innerHTML);
    });

    it('renders a complete message in one pass when finish comes first', () => {
      const text = longDocument();
      const { container, md } = streamer();
      md.finish(text);
      expect(md.stats.fullRenders).to.equal(1);
      expect(md.stats.charsLexed).to.equal(text.length);
      expect(container.innerHTML).to.equal(render(text).innerHTML);
    });

    // Constructs where "everything before the last block is final" is most likely to be wrong.
    const tricky = [
      'Para\n===\n\nPara two\n---\n\n- a\n\n- b\n\n  continued\n\n* other list\n\n1. one\n1) two\n',
      '> quote\nlazy line\n\n> > nested\n\nafter\n\n    indented code\n\n    more code\n\ntext\n',
      '| a | b |\n| - | - |\n| 1 | 2 |\nrow without pipes\n\n[x]: https://x.example\n"title"\n\n[x] ref\n',
      'Text <div>\n\n<b>not html</b>\n\n***\n\n- [ ] task\n- [x] done\n\n~~~js\n~~~\n\n`a\nb`\n',
      '1. a\n\n   ```\n   code in list\n   ```\n2. b\n\n## h2 ##\n\nfoo  \nbar\\\nbaz\n\n- a\n - b\n  - c\n',
      'www.example.com, mailto:me@example.com, <me@example.com> and ![i](https://img.example.com/a.png)\n',
      'A paragraph\n- list interrupts\n\n# heading\nparagraph right after\n> quote right after\n```\nfence\n```\nend',
    ];
    tricky.forEach((text, index) => {
      it(`settles tricky fixture #${index} to the one-shot render under random splits`, () => {
        const expected = render(text).innerHTML;
        for (const seed of [1, 2, 3, 4, 5]) {
          const { container } = stream(text, randomCuts(text, seed, 5));
          expect(container.innerHTML, `seed ${seed}`).to.equal(expected);
        }
        const { container } = stream(
          text,
          Array.from({ length: text.length }, (_, i) => i + 1),
        );
        expect(container.innerHTML, 'char by char').to.equal(expected);
      });
    });
  });
});

describe('StreamingMarkdown: the end-of-stream check against random documents', () => {
  // Pieces that carry context across blank lines, or reach back: loose lists, fences in items,
  // lazy lines, spanning HTML, definitions after their use, setext underlines, indented code.
  const pieces = [
    'Plain paragraph with **bold** and a [link](https://example.com).\n',
    '- item\n- item two\n',
    '- loose item\n\n- next loose item\n',
    '1. one\n\n   ```\n   code in item\n   ```\n2. two\n',
    '> quote\nlazy line\n',
    '```js\nconst a = 1;\n\nconst b = 2;\n```\n',
    '~~~\nunclosed tilde fence\n',
    '    indented code\n\n    more indented\n',
    '<!-- a comment\n\nstill the comment -->\n',
    '<pre>\npre text\n\nafter blank\n</pre>\n',
    '<div>\nhtml block\n</div>\n',
    '| a | b |\n| - | - |\n| 1 | 2 |\n',
    'Setext heading\n===\n',
    'Another\n---\n',
    '[ref] used before its definition.\n',
    '[ref]: https://ref.example.com "Ref"\n',
    '# Heading\n',
    '***\n',
    '  continued under an item\n',
    '* star list\n+ plus list\n',
    '![img](https://img.example.com/a.png)\n',
  ];
  const random = seededRandom(42);
  for (let doc = 0; doc < 60; doc++) {
    const parts: string[] = [];
    const count = 3 + Math.floor(random() * 10);
    for (let i = 0; i < count; i++) {
      parts.push(pieces[Math.floor(random() * pieces.length)]!);
      parts.push(random() < 0.7 ? '\n' : '');
    }
    const text = parts.join('');
    it(`document ${doc} streams to its one-shot render`, () => {
      const expected = render(text).innerHTML;
      for (const seed of [1, 2]) {
        const { container } = stream(text, randomCuts(text, doc * 10 + seed, 9));
        expect(container.innerHTML, `seed ${seed}\n${JSON.stringify(text)}`).to.equal(expected);
      }
    });
  }
});
