// Markdown → block list, without touching the DOM: the marked configuration, the URL policy
// the renderer applies first (dom.ts applies it again on the parsed DOM, authoritatively), the
// pathology scanner, and the plain-text block splitter used when markdown is not safe to parse.
import { Marked, type Links, type Token, type Tokens } from 'marked';

export const DEFAULT_MAX_LENGTH = 100_000;

/**
 * One top-level block of the source. `key` is everything that decides its DOM: two blocks with
 * the same key render to identical nodes, so comparing keys is how streaming reuses nodes and
 * how `finish` checks itself against a one-shot render without building any DOM.
 */
export interface SourceBlock {
  /** The exact source text of the block, so settled offsets can be summed. */
  raw: string;
  /** marked's token type, or `plain` for the text fallback. `space` and `def` render nothing. */
  type: string;
  /** Sanitizer input for markdown blocks; the text itself for plain blocks. '' renders nothing. */
  html: string;
  key: string;
  def?: { tag: string; href: string; title: string };
  /**
   * Plain blocks only: part of a paragraph longer than PLAIN_CHUNK_LINES, which is cut into
   * chunks of that many lines (`first`, then `next`), so that a huge fallback paragraph streams
   * chunk by chunk and off-screen chunks cost no layout.
   */
  chunk?: 'first' | 'next';
}

export interface PolicyContext {
  /** Lower-cased `host` values (with a port only if one was given) images may load from. */
  imageHosts: ReadonlySet<string>;
}

// --- URL policy --------------------------------------------------------------------------

const LINK_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
// The URL parser itself drops these from both ends (https://url.spec.whatwg.org/#concept-basic-url-parser),
// so a `#` behind a control character is still an in-page link to the browser.
const URL_EDGE_JUNK = /^[\u0000-\u0020]+|[\u0000-\u0020]+$/g;

function parseAbsolute(value: string): URL | null {
  try {
    // No base on purpose: relative and protocol-relative URLs would resolve against whatever page
    // embeds the widget, which the model cannot know, so they are not links here.
    return new URL(value);
  } catch {
    return null;
  }
}

/** The href to emit for a link destination, or null when the link must become plain text. */
export function linkHref(destination: string): string | null {
  const value = destination.replace(URL_EDGE_JUNK, '');
  if (value.startsWith('#')) return value;
  const url = parseAbsolute(value);
  return url && LINK_PROTOCOLS.has(url.protocol) ? url.href : null;
}

/** The src to emit for an image, or null when it must not be fetched. */
export function imageSrc(source: string, context: PolicyContext): string | null {
  const url = parseAbsolute(source.replace(URL_EDGE_JUNK, ''));
  if (!url || url.protocol !== 'https:' || url.username || url.password) return null;
  return context.imageHosts.has(url.host) ? url.href : null;
}

/** Lower-cases and IDNA-normalizes the allow-list so it compares with `URL#host`. */
export function normalizeHosts(hosts: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const host of hosts) {
    const url = parseAbsolute(`https://${host.trim()}/`);
    // Anything that is more than a host (a path, credentials) would never match exactly anyway.
    if (url && url.pathname === '/' && !url.username && !url.search && !url.hash) out.add(url.host);
  }
  return out;
}

// --- marked --------------------------------------------------------------------------------

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const ESCAPE_ALL = /[&<>"']/g;
// Like marked's own escape without `encode`: an `&` that already starts a character reference is
// kept, so `&copy;` in prose still shows ©, as CommonMark asks.
const ESCAPE_KEEP_REFS = /[<>"']|&(?!(?:#\d{1,7}|#[Xx][a-fA-F0-9]{1,6}|\w+);)/g;

export function escapeHtml(text: string, keepReferences = false): string {
  return text.replace(keepReferences ? ESCAPE_KEEP_REFS : ESCAPE_ALL, (ch) => ESCAPES[ch] ?? ch);
}

/** Only classes of this shape survive sanitizing; the renderer emits nothing else. */
export const LANGUAGE_CLASS = /^language-[\w.+#-]{1,40}$/;

let policy: PolicyContext = { imageHosts: new Set() };
// Links cannot nest: an image the policy turns into a link inside a link must stay text.
let linkDepth = 0;

const md = new Marked({
  gfm: true,
  breaks: false,
  async: false,
  // Raw HTML is never parsed as HTML, not even to escape it later: marked's inline `tag` tokenizer
  // flips lexer state on `<pre>`/`<code>`/`<a>`, after which it emits following text *unescaped*
  // (`escaped: true`). Without these tokenizers `<b>` is ordinary text and goes through `text()`.
  tokenizer: {
    html: () => undefined,
    tag: () => undefined,
  },
  renderer: {
    // Unreachable with the tokenizers above; kept so a future marked change cannot reopen raw HTML.
    html(token) {
      const text = escapeHtml(token.text, false);
      return 'block' in token && token.block ? `<p>${text.trimEnd()}</p>\n` : text;
    },
    text(token) {
      if ('tokens' in token && token.tokens) return this.parser.parseInline(token.tokens);
      // `token.escaped` is deliberately ignored: text is always escaped here.
      return escapeHtml(token.text, true);
    },
    code({ text, lang }) {
      const language = /^\S*/.exec(lang ?? '')?.[0] ?? '';
      const cls = LANGUAGE_CLASS.test(`language-${language}`)
        ? ` class="language-${language}"`
        : '';
      const body = text ? text.replace(/\n$/, '') + '\n' : '';
      return `<pre><code${cls}>${escapeHtml(body)}</code></pre>\n`;
    },
    link({ href, title, text, tokens, autolink }) {
      linkDepth++;
      let inner: string;
      try {
        inner = autolink ? escapeHtml(text) : this.parser.parseInline(tokens);
      } finally {
        linkDepth--;
      }
      const safe = linkHref(href);
      if (safe === null) return inner;
      const titleAttr = title ? ` title="${escapeHtml(title, true)}"` : '';
      return `<a href="${escapeHtml(safe)}"${titleAttr}>${inner}</a>`;
    },
    image({ href, title, text, tokens }) {
      const alt = tokens ? this.parser.parseInline(tokens, this.parser.textRenderer) : text;
      const titleAttr = title ? ` title="${escapeHtml(title, true)}"` : '';
      const src = imageSrc(href, policy);
      if (src !== null) {
        return `<img src="${escapeHtml(src)}" alt="${escapeHtml(alt, true)}"${titleAttr}>`;
      }
      // A forbidden image never becomes an <img>, not even in the sanitizer's inert document.
      const link = linkDepth === 0 ? linkHref(href) : null;
      const label = escapeHtml(alt || (link ?? ''), true);
      return link === null ? label : `<a href="${escapeHtml(link)}"${titleAttr}>${label}</a>`;
    },
  },
});

function parseTokens(src: string, links: Links): Token[] {
  const lexer = new md.Lexer(md.defaults);
  // Definitions from already-settled blocks are not in `src` but their references are.
  for (const tag in links) lexer.tokens.links[tag] = links[tag]!;
  return lexer.lex(src);
}

/**
 * Lexes `src` (a whole message, or the unsettled tail of one) into top-level blocks. Throws
 * whatever marked throws; after the pathology scan we know of nothing that does, but callers
 * still fall back to text if it happens.
 */
export function markdownBlocks(src: string, links: Links, context: PolicyContext): SourceBlock[] {
  policy = context;
  linkDepth = 0;
  try {
    const tokens = parseTokens(src, links);
    // One parser for all blocks: per-token `md.parser()` would build a new one each time.
    const parser = new md.Parser(md.defaults);
    return tokens.map((token) => {
      const html = token.type === 'space' || token.type === 'def' ? '' : parser.parse([token]);
      const block: SourceBlock = { raw: token.raw, type: token.type, html, key: html };
      if (token.type === 'def') {
        const def = token as Tokens.Def;
        block.def = { tag: def.tag, href: def.href, title: def.title };
      }
      return block;
    });
  } finally {
    policy = { imageHosts: new Set() };
  }
}

// --- plain text fallback -------------------------------------------------------------------

const PLAIN_KEY = '\u0000plain\u0000';

/**
 * Lines per chunk of a long plain paragraph. One paragraph of 20,000 `<br>` lines is a single
 * inline layout of ~0.3 s in Chromium, redone on every append; cut into separately contained
 * chunks, appending lays out one chunk and off-screen chunks are skipped.
 */
export const PLAIN_CHUNK_LINES = 100;

/**
 * Splits text into paragraphs at blank lines, each raw carrying the blank lines after it, so the
 * fallback streams with the same settle rules as markdown. Paragraphs longer than
 * PLAIN_CHUNK_LINES become chunks, each raw ending with its last line's newline. `continued`:
 * `src` starts inside a paragraph, right after a full chunk of it (a streaming tail).
 */
export function plainBlocks(src: string, continued = false): SourceBlock[] {
  const blocks: SourceBlock[] = [];
  const separator = /\n[ \t]*\n(?:[ \t]*\n)*/g;
  let start = 0;
  let first = !continued;
  for (let m = separator.exec(src); m; m = separator.exec(src)) {
    const end = m.index + m[0].length;
    pushParagraph(blocks, src.slice(start, end), m.index - start, first);
    first = true;
    start = end;
  }
  if (start < src.length) pushParagraph(blocks, src.slice(start), src.length - start, first);
  return blocks;
}

/** `raw` is one paragraph with its separator; its text is the first `length` characters. */
function pushParagraph(blocks: SourceBlock[], raw: string, length: number, first: boolean): void {
  let start = 0;
  let chunk: SourceBlock['chunk'] = first ? undefined : 'next';
  for (;;) {
    let cut = start - 1;
    for (let lines = 0; lines < PLAIN_CHUNK_LINES && cut < length; lines++) {
      cut = raw.indexOf('\n', cut + 1);
      if (cut === -1) cut = length;
    }
    // A chunk ends only where another line of the paragraph follows.
    if (cut >= length - 1) break;
    pushPlain(blocks, raw.slice(start, cut + 1), raw.slice(start, cut), chunk ? 'next' : 'first');
    chunk = 'next';
    start = cut + 1;
  }
  pushPlain(blocks, raw.slice(start), raw.slice(start, length), chunk);
}

function pushPlain(
  blocks: SourceBlock[],
  raw: string,
  text: string,
  chunk?: SourceBlock['chunk'],
): void {
  const body = text.replace(/\n+$/, '');
  if (body.trim() === '') {
    blocks.push({ raw, type: 'space', html: '', key: '' });
  } else {
    const block: SourceBlock = { raw, type: 'plain', html: body, key: PLAIN_KEY + body };
    if (chunk) {
      block.chunk = chunk;
      block.key = PLAIN_KEY + chunk + PLAIN_KEY + body;
    }
    blocks.push(block);
  }
}

/**
 * Whether text that ends with `raw` (the last settled plain block) stops inside a paragraph,
 * so the next plain tail continues its chunks.
 */
export function plainContinues(block: SourceBlock | undefined): boolean {
  return block?.chunk !== undefined && !/\n[ \t]*\n[ \t\n]*$/.test(block.raw);
}

// --- settling ------------------------------------------------------------------------------

/**
 * How many leading blocks of a freshly lexed tail can no longer change, whatever text is appended.
 *
 * Everything before the last non-blank block qualifies: marked only ends a block when it has seen
 * the start of the next one, and a block that ended stays ended (a list can continue after blank
 * lines, but then no later block exists yet). The exceptions are handled here or caught by
 * `finish`'s comparison with a one-shot render: a reference definition can still gain a title on
 * the next line, and a definition later in the message changes earlier references.
 */
export function settleCount(blocks: readonly SourceBlock[], src: string): number {
  let last = blocks.length - 1;
  while (last >= 0 && blocks[last]!.type === 'space') last--;
  let n = Math.max(0, last);
  while (n > 0 && blocks[n - 1]!.type === 'def') n--;
  // Settled offsets are sums of `raw`; stop where they would not add up to the source.
  let offset = 0;
  for (let i = 0; i < n; i++) {
    const raw = blocks[i]!.raw;
    if (!src.startsWith(raw, offset)) return i;
    offset += raw.length;
  }
  return n;
}

// --- text preparation ----------------------------------------------------------------------

export function normalizeNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

/** Cuts at `maxLength` UTF-16 units, never between the halves of a surrogate pair. */
export function truncateMarkdown(
  text: string,
  maxLength: number = DEFAULT_MAX_LENGTH,
): { text: string; truncated: boolean } {
  if (text.length <= maxLength) return { text, truncated: false };
  let end = Math.max(0, Math.floor(maxLength));
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return { text: text.slice(0, end), truncated: true };
}

// --- pathology scan ------------------------------------------------------------------------

/**
 * marked recurses once per container level and overflows the stack somewhere past a thousand
 * (`>`×2000, `- `×5000), and gets quadratic well before: nested lists 300 deep take ~0.4 s.
 * Real answers nest a handful of levels.
 */
export const MAX_NESTING = 32;
/**
 * Emphasis delimiters cost quadratically per inline run, badly so when `*`, `_` and `~` mix
 * (`_a*`×4000 takes ~4 s in marked 18, about 0.3 µs × runs²). Each paragraph-ish chunk adds
 * (delimiter runs)²: about one paragraph of 550 runs, ~100 ms at worst.
 */
export const MAX_EMPHASIS_COST = 300_000;
/** Brackets cost the same way in marked's link scanning (`])[]([`×20000 takes ~2.4 s). */
export const MAX_BRACKET_COST = 4_000_000;
/**
 * GFM's inline text rule looks ahead over a whole run of e-mail-address characters for an `@`
 * (https://github.github.com/gfm/#autolinks-extension-) at every token start, so a long run with many token starts (`a!`×50000: 18 s) is quadratic.
 * Cost per run: token starts × length, ~3.6 ns a unit.
 */
export const MAX_WORD_COST = 20_000_000;
/**
 * Outside fenced code, marked spends ~10 µs a line on block structure; 25,000 one-line list
 * items take ~0.25 s. No answer needs more lines than this outside its code blocks.
 */
export const MAX_LINES = 10_000;
/** Never look further than this into a line for container markers. */
const PREFIX_SCAN_LIMIT = 512;

interface LineInfo {
  depth: number;
  runs: number;
  brackets: number;
  words: number;
  blank: boolean;
  /** Starts a bullet item (or `1.`), which marked always lexes as a new inline run. */
  item: boolean;
}

/**
 * A single forward pass that decides whether text is too hostile to hand to marked. It is fed
 * appended text only, so streaming pays for each character once (plus the current line), and
 * it stops looking once the verdict is in: every measure only grows as text is appended.
 *
 * Its estimates may only err high. Fenced code is skipped only where that is sound: the scan
 * opens a fence only on a line of ≤3 spaces and no container marker, where marked opens one too,
 * and closes it on any fence-like line or, for an indented opener, on dedent — never later than
 * marked does. Inline runs are split only at blank lines and at bullet lines, both of which
 * always end a paragraph in marked.
 */
export class PathologyScanner {
  #line = '';
  #done = false;
  #lines = 0;
  #maxDepth = 0;
  #emphasis = 0;
  #brackets = 0;
  #words = 0;
  #chunkRuns = 0;
  #chunkBrackets = 0;
  #fence: { close: RegExp; indent: number } | null = null;

  push(text: string): void {
    if (this.#done) return;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      this.#commit(this.#line + text.slice(start, nl));
      this.#line = '';
      start = nl + 1;
      if (this.#exceeds(null)) {
        this.#done = true;
        return;
      }
    }
    this.#line += text.slice(start);
  }

  get pathological(): boolean {
    return this.#done || this.#exceeds(this.#line === '' ? null : this.#inspect(this.#line));
  }

  /** Whether the committed lines, plus `partial` as if it ended here, are over a limit. */
  #exceeds(partial: LineInfo | null): boolean {
    let depth = this.#maxDepth;
    let emphasis = this.#emphasis;
    let brackets = this.#brackets;
    let words = this.#words;
    let runs = this.#chunkRuns;
    let open = this.#chunkBrackets;
    if (partial) {
      if (partial.blank || partial.item) {
        emphasis += runs * runs;
        brackets += open * open;
        runs = open = 0;
      }
      depth = Math.max(depth, partial.depth);
      words += partial.words;
      runs += partial.runs;
      open += partial.brackets;
    }
    return (
      this.#lines > MAX_LINES ||
      depth > MAX_NESTING ||
      emphasis + runs * runs > MAX_EMPHASIS_COST ||
      brackets + open * open > MAX_BRACKET_COST ||
      words > MAX_WORD_COST
    );
  }

  #commit(line: string): void {
    if (this.#fence) {
      if (this.#fence.close.test(line)) {
        this.#fence = null;
        return;
      }
      if (this.#inFence(line)) return;
      this.#fence = null;
    }
    const opened = opensFence(line);
    if (opened) {
      this.#fence = {
        // Any fence-like line of the same character closes it, whatever its length or indent.
        close: new RegExp(`^[ \\t>]*\\${opened.char}{3,}`),
        indent: opened.indent,
      };
      return;
    }
    const info = this.#inspect(line);
    this.#lines++;
    this.#maxDepth = Math.max(this.#maxDepth, info.depth);
    this.#words += info.words;
    if (info.blank || info.item) {
      this.#emphasis += this.#chunkRuns * this.#chunkRuns;
      this.#brackets += this.#chunkBrackets * this.#chunkBrackets;
      this.#chunkRuns = this.#chunkBrackets = 0;
    }
    this.#chunkRuns += info.runs;
    this.#chunkBrackets += info.brackets;
  }

  /**
   * An indented opener may belong to a list item, which ends (taking the fence with it) at the
   * first non-blank line indented less; tabs count as one column here so that errs early.
   */
  #inFence(line: string): boolean {
    if (!this.#fence) return false;
    if (this.#fence.indent === 0 || line.trim() === '') return true;
    return /^[ \t]*/.exec(line)![0].length >= this.#fence.indent;
  }

  #inspect(line: string): LineInfo {
    if (this.#inFence(line)) {
      return { depth: 0, runs: 0, brackets: 0, words: 0, blank: false, item: false };
    }
    const info = inlineCounts(line) as LineInfo;
    info.depth = nestingDepth(line);
    info.blank = info.depth === 0 && line.trim() === '';
    info.item = info.depth > 0 && /^ {0,3}(?:[-+*]|1[.)])[ \t]+\S/.test(line);
    return info;
  }
}

function opensFence(line: string): { char: string; indent: number } | null {
  // Cheap first look: almost no line starts with a fence character.
  const first = line.trimStart()[0];
  if (first !== '`' && first !== '~') return null;
  const m = /^( {0,3})(`{3,}|~{3,})(.*)$/.exec(line);
  if (!m) return null;
  const char = m[2]![0]!;
  // A backtick fence's info string cannot hold a backtick; such a line is prose.
  // https://spec.commonmark.org/0.31.2/#fenced-code-blocks
  if (char === '`' && m[3]!.includes('`')) return null;
  return { char, indent: m[1]!.length };
}

function nestingDepth(line: string): number {
  let markers = 0;
  let indent = 0;
  let leading = -1;
  const end = Math.min(line.length, PREFIX_SCAN_LIMIT);
  let i = 0;
  while (i < end) {
    const ch = line[i]!;
    if (ch === ' ') {
      indent++;
      i++;
      continue;
    }
    if (ch === '\t') {
      indent += 4;
      i++;
      continue;
    }
    let next = i;
    if (ch === '>') {
      next = i + 1;
    } else if (ch === '-' || ch === '+' || ch === '*') {
      next = i + 1;
      if (next < line.length && line[next] !== ' ' && line[next] !== '\t') break;
    } else if (ch >= '0' && ch <= '9') {
      let j = i;
      while (j < line.length && j - i < 10 && line[j]! >= '0' && line[j]! <= '9') j++;
      const delim = line[j];
      if (j - i > 9 || (delim !== '.' && delim !== ')')) break;
      next = j + 1;
      if (next < line.length && line[next] !== ' ' && line[next] !== '\t') break;
    } else {
      break;
    }
    if (leading < 0) leading = indent;
    markers++;
    i = next;
  }
  // Deeper list levels show up as indentation before the first marker on their line.
  return markers === 0 ? 0 : markers + Math.floor(leading / 4);
}

// The characters GFM's e-mail lookahead runs over, and those of them where a text token ends.
// A table, not regexps: this runs on every character of every message.
const EMAIL = 1;
const STOP = 2;
const CHAR_CLASS = new Uint8Array(128);
for (const ch of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?_`{|}~-") {
  CHAR_CLASS[ch.charCodeAt(0)] = EMAIL;
}
for (const ch of '!*_~`') CHAR_CLASS[ch.charCodeAt(0)] = EMAIL | STOP;
const STAR = 42;
const UNDERSCORE = 95;
const TILDE = 126;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const W = 119;

function inlineCounts(line: string): Partial<LineInfo> {
  let runs = 0;
  let brackets = 0;
  let words = 0;
  let wordLength = 0;
  let wordStops = 0;
  let prev = -1;
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    const cls = code < 128 ? CHAR_CLASS[code]! : 0;
    if (cls & EMAIL) {
      wordLength++;
      if (cls & STOP || (code === W && line.startsWith('www.', i))) wordStops++;
    } else if (wordLength > 0) {
      words += wordStops * wordLength;
      wordLength = wordStops = 0;
    }
    if ((code === STAR || code === UNDERSCORE || code === TILDE) && code !== prev) runs++;
    else if (code === OPEN_BRACKET || code === CLOSE_BRACKET) brackets++;
    prev = code;
  }
  words += wordStops * wordLength;
  return { runs, brackets, words };
}

// --- independent regions --------------------------------------------------------------------

/** HTML blocks that may span blank lines (CommonMark types 1 to 5), and what ends each. */
const SPANNING_HTML: readonly [RegExp, RegExp][] = [
  [/^ {0,3}<(script|pre|style|textarea)(\s|>|$)/i, /<\/(script|pre|style|textarea)>/i],
  [/^ {0,3}<!--/, /-->/],
  [/^ {0,3}<\?/, /\?>/],
  [/^ {0,3}<![A-Za-z]/, />/],
  [/^ {0,3}<!\[CDATA\[/, /\]\]>/],
];
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** A list item's marker at the start of a line (up to three spaces in). */
const LIST_MARKER = /^ {0,3}([-*+]|\d{1,9}[.)])( |\t|$)/;

/**
 * Offsets in `text` where a block starts that nothing before it can change and that changes
 * nothing before it: the line follows a blank line, is not indented, and no fenced code or
 * spanning HTML block is open; a list item's marker counts only when no list is open (a loose
 * list goes on across blank lines). A blank line followed by an unindented line that is not a
 * list item closes every paragraph, list, quote, table and indented code block, and lazy
 * continuation never crosses a blank line, so lexing from one such offset to the next gives the
 * same blocks as lexing the whole text (reference definitions aside: callers check those).
 * Conservative: an offset it does not list may still be independent. Linear in the text.
 */
export function independentStarts(text: string): Set<number> {
  const starts = new Set<number>([0]);
  let fence: string | undefined;
  let html: RegExp | undefined;
  let previousBlank = false;
  let inList = false;
  let at = 0;
  while (at < text.length) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    const line = text.slice(at, end);
    if (fence) {
      const close = FENCE.exec(line);
      const marker = close?.[1];
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) {
        if (!/\S/.test(line.slice(close[0].length))) fence = undefined;
      }
      previousBlank = false;
    } else if (html) {
      if (html.test(line)) html = undefined;
      previousBlank = false;
    } else {
      const blank = !/\S/.test(line);
      const item = LIST_MARKER.test(line);
      if (previousBlank && /^\S/.test(line) && !(item && inList)) {
        starts.add(at);
        inList = false;
      }
      if (item) inList = true;
      const open = FENCE.exec(line);
      if (open) fence = open[1];
      else {
        for (const [start, stop] of SPANNING_HTML) {
          if (start.test(line)) {
            // The end marker may stand on the opening line itself.
            if (!stop.test(line.replace(start, ''))) html = stop;
            break;
          }
        }
      }
      previousBlank = blank;
    }
    at = end + 1;
  }
  return starts;
}
