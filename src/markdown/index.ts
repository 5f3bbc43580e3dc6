/**
 * Markdown for chat messages — the only module in the widget that turns text into HTML.
 *
 * Pipeline, for every piece that reaches the DOM:
 *   text → newline-normalize, cap at `maxLength` (flagged) → pathology scan → marked (lexer,
 *   top-level blocks) → our renderer (HTML string per block) → our DOMPurify instance
 *   (`RETURN_DOM_FRAGMENT`, so we never assign innerHTML) with hooks → policy fix-ups on the inert
 *   fragment → copy buttons added with DOM calls → adopted into the live container.
 *
 * Security rules (each has a test in test/markdown/):
 * - Raw HTML is text. marked's `html`/`tag` tokenizers are disabled, so `<img onerror>` or
 *   `<script>` is lexed as prose and escaped; `text()` always escapes, because marked marks text
 *   after an inline `<pre>`/`<code>` as already escaped (Tokenizer.inlineText, `inRawBlock`).
 * - Sanitizing is never skipped. Allowed: p, h1–h6, ul/ol/li, blockquote, pre/code, table parts,
 *   a, img, em/strong/del, hr, br, input[type=checkbox][disabled] (task lists). Per element only
 *   the attributes marked emits; `class` only `language-*` on code; no style, id, data-*, aria-*.
 *   Forms, svg, math, iframes, scripts, styles are dropped.
 * - Links survive only as http:, https:, mailto: or in-page `#…`, decided by the URL parser on the
 *   value the browser would use (after entity decoding, whitespace and case tricks), in a
 *   DOMPurify hook; the renderer applies the same rule first. Others become their text. External
 *   links get target=_blank rel="noopener noreferrer"; clicks on `#` links are cancelled, because
 *   from inside a shadow root they could only rewrite the host page's URL (hash routers!).
 * - Images load only over https from a host in `imageHosts` (exact `URL#host`, case-insensitive),
 *   with loading=lazy and referrerpolicy=no-referrer. Any other image becomes a link to it (text
 *   when not linkable, e.g. data:). The renderer never emits such an `<img>`, and the hook
 *   replaces any that slipped through while the nodes are still in DOMPurify's DOMParser document,
 *   which has no browsing context, so nothing there is fetched; a forbidden `<img>` never reaches
 *   a live document.
 * - We use `DOMPurify(window)`, our own instance: a host page's DOMPurify keeps its config/hooks.
 * - Trusted Types: we create one policy, `chat-widget-markdown` (TRUSTED_TYPES_POLICY_NAME), and
 *   pass it to DOMPurify as TRUSTED_TYPES_POLICY; it is used only for DOMPurify's DOMParser call
 *   (https://github.com/cure53/DOMPurify#what-about-dompurify-and-trusted-types). If the page's CSP
 *   refuses that name, DOMPurify tries its default `dompurify` policy; if both are refused, blocks
 *   render as plain text. No other HTML sink is used.
 *
 * Robustness: marked overflows its stack on deep nesting and is quadratic on some inputs
 * (emphasis and bracket runs, GFM's e-mail lookahead, very many blocks). A linear scan
 * (PathologyScanner, limits in parse.ts) sends such text to a plain-text rendering (paragraphs,
 * `<br>`, text nodes) instead, as does any exception from marked. Worst accepted input renders in
 * roughly 0.1–0.2 s.
 *
 * Streaming (StreamingMarkdown): the source is a sequence of top-level marked blocks. A block
 * followed by another non-blank block is settled: built once, appended, never touched again. Only
 * the text after the last settled block is re-lexed per update, and of its blocks only those
 * whose rendered HTML changed are rebuilt; a tail over 16 KB is re-rendered only after growing
 * by 1/8, so even one huge block costs linear work in total. Settled definitions are passed to
 * the tail's lexer. `finish` lexes the whole text once (strings only) and compares block HTML
 * with what was streamed; the rare differences (a reference defined after its use, a definition
 * gaining a title) are rebuilt in place, so the result is identical to `renderMarkdown`. Partial
 * markdown renders as marked reads it: an open fence is a code block, `**bold` without its end
 * is text.
 */
import { blockText } from './dom.js';
import { imageSrc } from './parse.js';
import {
  buildContext,
  oneShotBlocks,
  prepareText,
  renderBlocks,
  type MarkdownOptions,
} from './streaming.js';

export { markdown, type MarkdownDirectiveOptions } from './directive.js';
export {
  StreamingMarkdown,
  renderPlainText,
  type MarkdownOptions,
  type MarkdownStats,
} from './streaming.js';
export {
  attachBehavior as attachMarkdownBehavior,
  TRUSTED_TYPES_POLICY_NAME,
  COPIED_FEEDBACK_MS,
  type Labels as MarkdownLabels,
} from './dom.js';
export { DEFAULT_MAX_LENGTH, truncateMarkdown } from './parse.js';

/**
 * One-shot render. Identical nodes to a StreamingMarkdown after `finish(text)`. Copy buttons need
 * `attachMarkdownBehavior` on whatever container the fragment goes into.
 */
export function renderMarkdown(text: string, options: MarkdownOptions): DocumentFragment {
  const context = buildContext(options);
  return renderBlocks(oneShotBlocks(prepareText(text, options.maxLength).text, context), context);
}

/** The message as readable text (for notifications, live-region announcements, previews). */
export function toPlainText(text: string, options?: Partial<MarkdownOptions>): string {
  const context = buildContext({ imageHosts: [], ...options });
  return oneShotBlocks(prepareText(text, options?.maxLength).text, context)
    .map((block) => blockText(block, context))
    .filter((part) => part !== '')
    .join('\n\n');
}

/**
 * Compiles the markdown and sanitizing paths ahead of the first reply (marked's
 * and DOMPurify's first use cost tens of milliseconds, which would otherwise land
 * in the frame that shows the reply's first tokens). Call when the browser is idle.
 */
export function warmUp(): void {
  renderMarkdown(
    '**Hi** [x](https://example.com)\n\n- a\n\n```\ncode\n```\n\n| a |\n| - |\n| b |',
    {
      imageHosts: [],
    },
  );
}

/**
 * The URL to load for an image that came from a backend outside markdown (an agent's
 * avatar), under the same rule as images in replies: https, from an `image-hosts` host.
 * Null when it must not be fetched.
 */
export function allowedImage(url: string, imageHosts: readonly string[]): string | null {
  return imageSrc(url, { imageHosts: new Set(imageHosts.map((host) => host.toLowerCase())) });
}
