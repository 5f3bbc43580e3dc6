import { expect } from '@open-wc/testing';
import DOMPurify from 'dompurify';
import { sanitizeToFragment } from '../../src/markdown/dom.js';
import { StreamingMarkdown } from '../../src/markdown/index.js';
import { IMAGE_HOST, OPTIONS, outer, render } from './helpers.js';

const CONTEXT = { imageHosts: new Set([IMAGE_HOST]) };

// Payloads call this instead of alert(): an alert would block the headless page, and the test
// runner shows failure messages as HTML, so a failing assertion must not carry a live payload.
const xss: string[] = [];
(window as unknown as { __xss: () => void }).__xss = () => xss.push(new Error().stack ?? '');

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('markdown security', () => {
  after(() => expect(xss).to.deep.equal([]));

  describe('raw HTML is shown as text', () => {
    const vectors = [
      '<img src=x onerror=__xss()>',
      '<script>__xss()</script>',
      'Hello <b>bold</b> <iframe src="//evil.example/"></iframe> inline',
      '<div onclick="__xss()">\n\n*still markdown*\n</div>',
      '<!-- a comment --> <svg onload=__xss()>',
      // marked treats text after an inline <code>/<pre> tag as already escaped
      'text <code>a <img src=x onerror=__xss()// b',
      '<pre>\n<img src=x onerror=__xss()//\n',
      '<a href="javascript:__xss()">click</a>',
      '<form action="/steal"><input name=q></form>',
      '<style>body{display:none}</style>',
    ];
    // Titles must not contain the vectors: the runner page shows test titles as HTML.
    vectors.forEach((vector, index) => {
      it(`renders vector #${index} literally`, () => {
        const div = render(vector);
        expect(
          outer(div.querySelector('img, script, b, iframe, svg, div, a, form, input, style')),
        ).to.equal(null);
        const shown = div.textContent!.replace(/\s+/g, ' ');
        // Every tag-looking piece of the input is visible as typed.
        const tags = (vector.match(/<[^>\n]*>?/g) ?? []).map((tag) => tag.replace(/\s+/g, ' '));
        expect(tags.filter((tag) => !shown.includes(tag)).length).to.equal(0);
      });
    });

    it('keeps markdown around the escaped HTML working', () => {
      const div = render('**bold** <b>not bold</b> `<i>code</i>`');
      expect(div.querySelector('strong')!.textContent).to.equal('bold');
      expect(div.querySelector('code')!.textContent).to.equal('<i>code</i>');
      expect(outer(div.querySelector('b, i'))).to.equal(null);
    });
  });

  describe('links', () => {
    it('opens http, https and mailto links in a new browsing context without referrer', () => {
      const div = render(
        '[a](https://example.com/x) [b](http://example.com) [c](mailto:me@example.com) ' +
          '<https://auto.example/> www.bare.example',
      );
      const links = Array.from(div.querySelectorAll('a'));
      expect(links.map((a) => a.getAttribute('href'))).to.deep.equal([
        'https://example.com/x',
        'http://example.com/',
        'mailto:me@example.com',
        'https://auto.example/',
        'http://www.bare.example/',
      ]);
      for (const a of links) {
        expect(a.getAttribute('target')).to.equal('_blank');
        expect(a.getAttribute('rel')).to.equal('noopener noreferrer');
      }
    });

    it('keeps in-page #links, without a new tab, and stops them rewriting the host URL', () => {
      const container = document.createElement('div');
      document.body.append(container);
      const md = new StreamingMarkdown(container, OPTIONS);
      md.finish('[top](#top)');
      const a = container.querySelector('a')!;
      expect(a.getAttribute('href')).to.equal('#top');
      expect(a.hasAttribute('target')).to.equal(false);
      const click = new MouseEvent('click', { bubbles: true, cancelable: true });
      const hash = location.hash;
      a.dispatchEvent(click);
      expect(click.defaultPrevented).to.equal(true);
      expect(location.hash).to.equal(hash);
      md.dispose();
      container.remove();
    });

    const forbidden: [string, string][] = [
      ['[js](javascript:__xss())', 'js'],
      ['[mixed case](JaVaScRiPt:__xss())', 'mixed case'],
      ['[numeric tab](java&#09;script:__xss())', 'numeric tab'],
      ['[named colon](javascript&colon;__xss())', 'named colon'],
      ['[encoded j](&#106;avascript:__xss())', 'encoded j'],
      ['[hex](&#x6A;&#x61;vascript:__xss())', 'hex'],
      ['[percent](%6Aavascript:__xss())', 'percent'],
      ['[angle](<javascript:__xss()>)', 'angle'],
      ['[leading space](<  javascript:__xss()>)', 'leading space'],
      ['[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)', 'data'],
      ['[vb](vbscript:msgbox(1))', 'vb'],
      ['[file](file:///etc/passwd)', 'file'],
      ['[relative](/admin/delete)', 'relative'],
      ['[protocol relative](//evil.example/x)', 'protocol relative'],
      ['<javascript:__xss()>', 'javascript:__xss()'],
      ['[ref][r]\n\n[r]: javascript:__xss()', 'ref'],
      ['[ref2]\n\n[ref2]: <java\tscript:__xss()>', 'ref2'],
    ];
    forbidden.forEach(([markdown, text], index) => {
      it(`turns forbidden link #${index} (${text}) into its text`, () => {
        const div = render(markdown);
        expect(outer(div.querySelector('a'))).to.equal(null);
        expect(div.textContent).to.include(text);
      });
    });

    it('applies the link rule to the parsed DOM value, not only to marked output', () => {
      const fragment = sanitizeToFragment(
        '<p><a href="java&#x09;script:__xss()">a</a><a href=" JAVASCRIPT:__xss()">b</a>' +
          '<a href="&#x6A;avascript&colon;__xss()">c</a><a href="https://ok.example/">d</a></p>',
        CONTEXT,
      )!;
      const links = Array.from(fragment.querySelectorAll('a'));
      expect(links.map((a) => a.textContent)).to.deep.equal(['d']);
      expect(fragment.textContent).to.equal('abcd');
      expect(links[0]!.getAttribute('rel')).to.equal('noopener noreferrer');
    });
  });

  describe('images', () => {
    it('loads https images from an allowed host, lazily and without referrer', () => {
      const img = render(`![a chart](https://${IMAGE_HOST}/c.png "Title")`).querySelector('img')!;
      expect(img.getAttribute('src')).to.equal(`https://${IMAGE_HOST}/c.png`);
      expect(img.getAttribute('alt')).to.equal('a chart');
      expect(img.getAttribute('title')).to.equal('Title');
      expect(img.getAttribute('loading')).to.equal('lazy');
      expect(img.getAttribute('referrerpolicy')).to.equal('no-referrer');
    });

    it('matches hosts exactly and case-insensitively', () => {
      const options = { imageHosts: ['CDN.Example.com'] };
      expect(
        render('![x](https://cdn.EXAMPLE.com/a.png)', options).querySelector('img'),
      ).to.not.equal(null);
      for (const src of [
        'https://evil.cdn.example.com/a.png',
        'https://cdn.example.com.evil.example/a.png',
        'https://cdn.example.com:8443/a.png',
        'https://user@cdn.example.com/a.png',
      ]) {
        const div = render(`![x](${src})`, options);
        expect(outer(div.querySelector('img')), src).to.equal(null);
        expect(div.querySelector('a')!.getAttribute('href'), src).to.equal(new URL(src).href);
      }
    });

    it('turns any other image into a link with its alt text, or its URL', () => {
      const div = render(
        `![plain http](http://${IMAGE_HOST}/a.png) ![](https://elsewhere.example/b.png)`,
      );
      expect(outer(div.querySelector('img'))).to.equal(null);
      const links = Array.from(div.querySelectorAll('a'));
      expect(
        links.map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('rel')]),
      ).to.deep.equal([
        ['plain http', `http://${IMAGE_HOST}/a.png`, 'noopener noreferrer'],
        [
          'https://elsewhere.example/b.png',
          'https://elsewhere.example/b.png',
          'noopener noreferrer',
        ],
      ]);
    });

    it('shows unlinkable images (data:, javascript:) as alt text only', () => {
      const div = render('![pixel](data:image/png;base64,iVBORw0KGgo=) ![js](javascript:__xss())');
      expect(outer(div.querySelector('img, a'))).to.equal(null);
      expect(div.textContent!.trim()).to.equal('pixel js');
    });

    it('does not nest a link inside a link for a forbidden image in a link', () => {
      const div = render('[![badge](https://evil.example/b.svg)](https://example.com/)');
      expect(div.querySelectorAll('a').length).to.equal(1);
      expect(div.querySelector('a')!.textContent).to.equal('badge');
      expect(outer(div.querySelector('img'))).to.equal(null);
    });

    it('replaces forbidden images inside the inert sanitizer document', () => {
      // As if the renderer had let one through: the hook is the authoritative check.
      const fragment = sanitizeToFragment(
        '<p><img src="http://img.example.com/x.png" alt="x"><img src="https://IMG.example.com/ok.png" alt="ok"></p>',
        CONTEXT,
      )!;
      expect(fragment.ownerDocument).to.not.equal(document);
      expect(
        Array.from(fragment.querySelectorAll('img')).map((i) => i.getAttribute('src')),
      ).to.deep.equal(['https://img.example.com/ok.png']);
      expect(fragment.querySelector('a')!.getAttribute('href')).to.equal(
        'http://img.example.com/x.png',
      );
    });

    it('never inserts or fetches a forbidden image, even mid-stream', async () => {
      const tag = Math.random().toString(36).slice(2);
      const forbidden = `${location.origin}/forbidden-${tag}.png`; // http: so never allowed
      const control = `${location.origin}/control-${tag}.png`;
      const inserted: string[] = [];
      const observer = new MutationObserver((records) => {
        for (const record of records) {
          for (const node of Array.from(record.addedNodes)) {
            if (!(node instanceof Element)) continue;
            for (const img of [node, ...Array.from(node.querySelectorAll('img'))]) {
              if (img.nodeName === 'IMG') inserted.push(img.getAttribute('src') ?? '');
            }
          }
        }
      });
      observer.observe(document.body, { childList: true, subtree: true });
      const container = document.createElement('div');
      document.body.append(container);
      const md = new StreamingMarkdown(container, OPTIONS);
      const text = `Look: ![chart](${forbidden}) and [![x](${forbidden}?2)](https://example.com)`;
      for (let i = 1; i <= text.length; i++) md.update(text.slice(0, i));
      md.finish(text);
      await new Promise<void>((resolve) => {
        const probe = new Image();
        probe.onload = probe.onerror = () => resolve();
        probe.src = control; // proves the resource-timing check below can see a fetch
      });
      await wait(50);
      observer.disconnect();
      expect(performance.getEntriesByName(control).length).to.be.greaterThan(0);
      expect(performance.getEntriesByName(forbidden)).to.deep.equal([]);
      expect(performance.getEntriesByName(`${forbidden}?2`)).to.deep.equal([]);
      expect(inserted.filter((src) => src.includes('forbidden'))).to.deep.equal([]);
      expect(outer(container.querySelector('img'))).to.equal(null);
      md.dispose();
      container.remove();
    });
  });

  describe('allow-list', () => {
    it('drops elements and attributes markdown never produces', () => {
      const fragment = sanitizeToFragment(
        '<p style="color:red" class="x" id="y" data-x="1" aria-label="z" onclick="__xss()" title="t">a</p>' +
          '<form><input type="text" name="q"><button>b</button></form><svg><circle r="1"></circle></svg>' +
          '<math><mi>x</mi></math><iframe src="https://example.com"></iframe><span>s</span>' +
          '<pre><code class="language-js evil">c</code></pre><code class="language-ts">d</code>' +
          '<ol start="3" reversed><li>e</li></ol><table><tr><td align="left" width="9">f</td></tr></table>',
        CONTEXT,
      )!;
      const div = document.createElement('div');
      div.append(fragment);
      expect(
        outer(div.querySelector('form, input, button, svg, math, iframe, span, circle, mi')),
      ).to.equal(null);
      const attributes = Array.from(div.querySelectorAll('*')).flatMap((el) =>
        Array.from(el.attributes).map((attr) => `${el.nodeName.toLowerCase()}[${attr.name}]`),
      );
      expect(attributes).to.deep.equal(['code[class]', 'ol[start]', 'td[align]']);
      expect(div.querySelector('code.language-ts')).to.not.equal(null);
    });

    it('keeps only a language-* class on code, and task-list checkboxes disabled', () => {
      const div = render('```python extra words\nprint(1)\n```\n\n- [x] done\n- [ ] open\n');
      expect(div.querySelector('code')!.getAttribute('class')).to.equal('language-python');
      const boxes = Array.from(div.querySelectorAll('input'));
      expect(boxes.map((b) => [b.type, b.disabled, b.checked])).to.deep.equal([
        ['checkbox', true, true],
        ['checkbox', true, false],
      ]);
      expect(
        render('```"><img src=x>\nx\n```').querySelector('code')!.hasAttribute('class'),
      ).to.equal(false);
    });

    it('keeps table alignment and list start numbers', () => {
      const div = render('| a | b |\n|:--|--:|\n| 1 | 2 |\n\n3. three\n4. four\n');
      expect(
        Array.from(div.querySelectorAll('th')).map((th) => th.getAttribute('align')),
      ).to.deep.equal(['left', 'right']);
      expect(div.querySelector('ol')!.getAttribute('start')).to.equal('3');
    });
  });

  describe('isolation', () => {
    it('uses its own DOMPurify instance: the global one keeps its hooks and config', () => {
      DOMPurify.addHook('afterSanitizeAttributes', (node) => {
        if (node.nodeName === 'P') node.setAttribute('data-global-hook', '');
      });
      try {
        const div = render('[x](https://example.com) text');
        expect(outer(div.querySelector('[data-global-hook]'))).to.equal(null);
        expect(div.querySelector('a')!.getAttribute('rel')).to.equal('noopener noreferrer');
        const global = DOMPurify.sanitize('<p><a href="https://example.com">x</a><b>y</b></p>');
        expect(global).to.equal(
          '<p data-global-hook=""><a href="https://example.com">x</a><b>y</b></p>',
        );
      } finally {
        DOMPurify.removeHooks('afterSanitizeAttributes');
      }
    });

    it('never uses an HTML string sink itself', () => {
      const sinks: [object, string][] = [
        [Element.prototype, 'innerHTML'],
        [Element.prototype, 'outerHTML'],
        [ShadowRoot.prototype, 'innerHTML'],
      ];
      const calls: string[] = [];
      const restore: (() => void)[] = [];
      for (const [proto, name] of sinks) {
        const descriptor = Object.getOwnPropertyDescriptor(proto, name)!;
        Object.defineProperty(proto, name, {
          ...descriptor,
          set(value: string) {
            calls.push(name);
            descriptor.set!.call(this, value);
          },
        });
        restore.push(() => Object.defineProperty(proto, name, descriptor));
      }
      const methods: [object, string][] = [
        [Element.prototype, 'insertAdjacentHTML'],
        [Element.prototype, 'setHTMLUnsafe'],
        [Range.prototype, 'createContextualFragment'],
        [Document.prototype, 'write'],
      ];
      for (const [proto, name] of methods) {
        const original = (proto as Record<string, unknown>)[name];
        if (typeof original !== 'function') continue;
        (proto as Record<string, unknown>)[name] = function (this: unknown, ...args: unknown[]) {
          calls.push(name);
          return (original as (...a: unknown[]) => unknown).apply(this, args);
        };
        restore.push(() => ((proto as Record<string, unknown>)[name] = original));
      }
      try {
        const container = document.createElement('div');
        const md = new StreamingMarkdown(container, OPTIONS);
        const text =
          '# T\n\n**b** [l](https://x.example) ![i](https://img.example.com/a.png)\n\n```js\nx\n```\n';
        for (let i = 1; i <= text.length; i += 3) md.update(text.slice(0, i));
        md.finish(text);
        render(text);
        expect(container.querySelector('strong, a, img, pre')).to.not.equal(null);
      } finally {
        restore.forEach((fn) => fn());
      }
      expect(calls).to.deep.equal([]);
    });
  });
});
