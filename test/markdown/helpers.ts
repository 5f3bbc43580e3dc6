import { renderMarkdown, type MarkdownOptions } from '../../src/markdown/index.js';
import { seededRandom } from '../seeded-random.js';

export const IMAGE_HOST = 'img.example.com';
export const OPTIONS: MarkdownOptions = { imageHosts: [IMAGE_HOST] };

/** A detached container holding a one-shot render, for assertions. */
export function render(text: string, options: MarkdownOptions = OPTIONS): HTMLDivElement {
  const div = document.createElement('div');
  div.append(renderMarkdown(text, options));
  return div;
}

/** Deterministic, so a failing split can be replayed. */
export const random = seededRandom;

/** Prefix lengths that cut `text` into chunks of 1..maxChunk characters. */
export function randomCuts(text: string, seed: number, maxChunk = 12): number[] {
  const next = random(seed);
  const cuts: number[] = [];
  for (let at = 0; at < text.length;) {
    at = Math.min(text.length, at + 1 + Math.floor(next() * maxChunk));
    cuts.push(at);
  }
  return cuts;
}

const SECTION = (i: number): string => `## Section ${i}: streaming *markdown* safely

The assistant explains **step ${i}** with a [reference link][docs] and an inline [link](https://example.com/page/${i}?q=a&b=c "Example ${i}"), some \`inline code\`, _emphasis_, ~~strikethrough~~ and an autolink <https://example.org/${i}>. It keeps going for a while so that the paragraph is long enough to be split at many awkward places, including inside **bold text** and in the middle of a [link text](https://example.net/${i}).

- first item with **bold**
- second item with a [link](https://example.com/${i})
  - nested item ${i}
  - another nested item with \`code\`
- third item

1. ordered one
2. ordered two
3. ordered three

> A quote about step ${i}, which
> continues on a second line.

| Name | Value | Notes |
|:-----|------:|:-----:|
| alpha | ${i} | **bold** cell |
| beta | ${i * 2} | [link](https://example.com/t${i}) |
| gamma | ${i * 3} | \`code\` |

\`\`\`ts
export function step${i}(input: string): number {
  // a comment with *stars* and _underscores_
  const value = input.length * ${i};
  return value > 10 ? value : -value;
}
\`\`\`

- [x] done task ${i}
- [ ] open task ${i}

![diagram ${i}](https://${IMAGE_HOST}/d${i}.png) and a forbidden ![tracker](https://evil.example/t${i}.png).

Setext heading ${i}
-------------------

---

`;

/** About 8,000 tokens of mixed markdown (≈ 32 KB). */
export function longDocument(): string {
  let text = '# Streaming test document\n\n[docs]: https://docs.example.com/guide "The guide"\n\n';
  for (let i = 1; text.length < 32_000; i++) text += SECTION(i);
  return text + 'Final paragraph without a trailing newline.';
}

/**
 * For asserting an element is absent: compare its markup, never the element. A failing chai
 * assertion that has to print an element with an href crashes the test browser session here.
 */
export function outer(element: Element | null | undefined): string | null {
  return element ? element.outerHTML : null;
}
