import type { Links } from 'marked';
import {
  attachBehavior,
  buildBlock,
  DEFAULT_LABELS,
  plainNodes,
  type BuildContext,
  type Labels,
} from './dom.js';
import {
  DEFAULT_MAX_LENGTH,
  independentStarts,
  markdownBlocks,
  normalizeHosts,
  normalizeNewlines,
  PathologyScanner,
  plainBlocks,
  plainContinues,
  settleCount,
  truncateMarkdown,
  type SourceBlock,
} from './parse.js';

export interface MarkdownOptions {
  /** Hosts (`URL#host`: name, plus port if not 443) images may load from, over https only. */
  imageHosts: readonly string[];
  /** Longer text is cut here and flagged with `data-truncated`. Default 100,000 characters. */
  maxLength?: number;
  labels?: Labels;
}

/** Counters for benchmarks and tests; they only ever grow. */
export interface MarkdownStats {
  /** Blocks sanitized and turned into nodes. */
  blocksRendered: number;
  /** `update` calls that rebuilt (part of) the unsettled tail. */
  tailRenders: number;
  /** Source characters handed to marked or the plain splitter, summed over all calls. */
  charsLexed: number;
  /** Renders of a whole message at once (first `finish`, or text that was not an extension). */
  fullRenders: number;
  /** `finish` calls whose check against a one-shot render found and replaced a difference. */
  finishRepairs: number;
  /** Updates that left a long tail as it was (see TAIL_RENDER_GROWTH). */
  deferredRenders: number;
}

/** Tails shorter than this are re-rendered on every update. */
export const TAIL_RENDER_ALWAYS = 16_384;
/**
 * A longer tail (one huge list, table or code block) is re-rendered only once it has grown by
 * this fraction since its last render, so the total work stays linear in the text: renders of a
 * growing block form a geometric series. `finish` always renders.
 */
export const TAIL_RENDER_GROWTH = 1 / 8;

interface RenderedBlock {
  key: string;
  /** The source it was built from (`finish` splices by source offsets). */
  raw: string;
  /** A reference definition's normalized label. */
  def?: string;
  nodes: ChildNode[];
}

export function buildContext(options: MarkdownOptions): BuildContext {
  return {
    imageHosts: normalizeHosts(options.imageHosts),
    labels: { ...DEFAULT_LABELS, ...options.labels },
  };
}

/** Normalized, length-capped text and whether it was cut. */
export function prepareText(
  text: string,
  maxLength?: number,
): { text: string; truncated: boolean } {
  return truncateMarkdown(normalizeNewlines(text), maxLength ?? DEFAULT_MAX_LENGTH);
}

/** The blocks a one-shot render of `text` consists of; `finish` compares itself against these. */
export function oneShotBlocks(
  text: string,
  context: BuildContext,
  scanner?: PathologyScanner,
): SourceBlock[] {
  let scan = scanner;
  if (!scan) {
    scan = new PathologyScanner();
    scan.push(text);
  }
  if (!scan.pathological) {
    try {
      return markdownBlocks(text, Object.create(null) as Links, context);
    } catch {
      // marked overflowed or hit a bug: fall through to text, the widget must not break.
    }
  }
  return plainBlocks(text);
}

export function renderBlocks(
  blocks: readonly SourceBlock[],
  context: BuildContext,
): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const block of blocks) fragment.append(...buildBlock(block, context));
  return fragment;
}

/** One message's markdown rendered into `container`, incrementally while it streams. */
export class StreamingMarkdown {
  readonly stats: MarkdownStats = {
    blocksRendered: 0,
    tailRenders: 0,
    charsLexed: 0,
    fullRenders: 0,
    finishRepairs: 0,
    deferredRenders: 0,
  };

  readonly #container: HTMLElement;
  readonly #context: BuildContext;
  readonly #maxLength: number;
  readonly #detach: () => void;
  #disposed = false;

  /** The text exactly as last given, to recognise extensions. */
  #raw = '';
  /** `#raw` with normalized newlines and the length cap applied: what is rendered. */
  #text = '';
  #truncated = false;
  #finished = false;
  #scanner = new PathologyScanner();
  /** Once the text looked pathological mid-stream, the stream stays plain text until finish. */
  #plain = false;

  /** Offset in `#text` where the unsettled tail starts; everything before is final. */
  #settledEnd = 0;
  /** Reference definitions from settled blocks, which the tail is lexed without. */
  #links: Links = Object.create(null) as Links;
  #settled: RenderedBlock[] = [];
  #tail: RenderedBlock[] = [];
  /** Length of the unsettled tail as last rendered; the tail text beyond it is not shown yet. */
  #renderedTail = 0;
  /** Plain text only: the settled text stops inside a chunked paragraph the tail continues. */
  #plainOpen = false;
  /** Where each lex of the tail started (settled offsets): what `finish` must check. */
  #lexStarts = new Set<number>();

  constructor(container: HTMLElement, options: MarkdownOptions) {
    this.#container = container;
    this.#context = buildContext(options);
    this.#maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
    container.replaceChildren();
    container.removeAttribute('data-truncated');
    this.#detach = attachBehavior(container, this.#context.labels);
  }

  /** Whether the text was longer than `maxLength` and has been cut. */
  get truncated(): boolean {
    return this.#truncated;
  }

  /** The text so far. Usually the previous text plus more; anything else re-renders. */
  update(fullText: string): void {
    if (this.#disposed || fullText === this.#raw) return;
    // The prefix check reads the whole string, but at memcmp speed; trusting the caller instead
    // would render garbage after an edit or a reconnect that restarted the reply.
    if (!this.#finished && fullText.startsWith(this.#raw)) {
      let suffix = fullText.slice(this.#raw.length);
      // A CRLF split across two updates: the CR already became the newline.
      if (this.#raw.endsWith('\r') && suffix.startsWith('\n')) suffix = suffix.slice(1);
      this.#raw = fullText;
      this.#append(normalizeNewlines(suffix));
    } else {
      this.#reset();
      this.#raw = fullText;
      this.#append(normalizeNewlines(fullText));
    }
  }

  /**
   * The final text. Afterwards the container is identical to `renderMarkdown(finalText)`: the
   * streamed blocks are checked against a one-shot lex (strings only, no DOM) and only blocks that
   * differ are rebuilt. Calling it again with the same text costs nothing.
   */
  finish(finalText: string): void {
    if (this.#disposed || (this.#finished && finalText === this.#raw)) return;
    if (this.#finished || this.#raw === '' || !finalText.startsWith(this.#raw)) {
      this.#renderWhole(finalText);
    } else {
      this.update(finalText);
      if (this.#settledEnd + this.#renderedTail < this.#text.length) this.#renderTail();
      if (!this.#verifyRegions()) this.#verify();
    }
    this.#finished = true;
  }

  /** Stops listening for clicks and drops timers. The rendered DOM is left as it is. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#detach();
  }

  #reset(): void {
    this.#container.replaceChildren();
    this.#raw = '';
    this.#text = '';
    this.#setTruncated(false);
    this.#finished = false;
    this.#scanner = new PathologyScanner();
    this.#plain = false;
    this.#clearBlocks();
  }

  #clearBlocks(): void {
    for (const block of [...this.#settled, ...this.#tail])
      for (const node of block.nodes) node.remove();
    this.#settledEnd = 0;
    this.#links = Object.create(null) as Links;
    this.#settled = [];
    this.#tail = [];
    this.#renderedTail = 0;
    this.#plainOpen = false;
    this.#lexStarts = new Set();
  }

  #setTruncated(truncated: boolean): void {
    this.#truncated = truncated;
    if (truncated) this.#container.setAttribute('data-truncated', '');
    else this.#container.removeAttribute('data-truncated');
  }

  #append(suffix: string): void {
    // Past the cap nothing more is shown, so the rest of the stream is free.
    if (this.#truncated || suffix === '') return;
    const cut = truncateMarkdown(this.#text + suffix, this.#maxLength);
    const added = cut.text.slice(this.#text.length);
    this.#text = cut.text;
    if (cut.truncated) this.#setTruncated(true);
    if (added === '') return;
    this.#scanner.push(added);
    if (!this.#plain && this.#scanner.pathological) this.#switchToPlain();
    const tail = this.#text.length - this.#settledEnd;
    const rendered = this.#renderedTail;
    if (tail < TAIL_RENDER_ALWAYS || tail - rendered >= rendered * TAIL_RENDER_GROWTH) {
      this.#renderTail();
    } else {
      this.stats.deferredRenders++;
    }
  }

  #switchToPlain(): void {
    this.#plain = true;
    this.#clearBlocks();
  }

  /** Re-lexes only the unsettled tail, rebuilds only its blocks that changed, settles the rest. */
  #renderTail(): void {
    this.#lexStarts.add(this.#settledEnd);
    const src = this.#text.slice(this.#settledEnd);
    let blocks: SourceBlock[];
    if (this.#plain) {
      blocks = plainBlocks(src, this.#plainOpen);
    } else {
      try {
        blocks = markdownBlocks(src, this.#links, this.#context);
      } catch {
        this.#switchToPlain();
        this.#renderTail();
        return;
      }
    }
    this.stats.charsLexed += src.length;

    let same = 0;
    while (
      same < blocks.length &&
      same < this.#tail.length &&
      this.#tail[same]!.key === blocks[same]!.key
    ) {
      same++;
    }
    // A block kept for its unchanged output may have grown in source (a trailing newline).
    for (let i = 0; i < same; i++) this.#tail[i]!.raw = blocks[i]!.raw;
    const stale = this.#tail.slice(same);
    for (const block of stale) for (const node of block.nodes) node.remove();
    const rendered = this.#tail.slice(0, same);
    if (same < blocks.length) {
      const fragment = document.createDocumentFragment();
      for (const block of blocks.slice(same)) {
        const nodes = buildBlock(block, this.#context);
        if (block.key !== '') this.stats.blocksRendered++;
        fragment.append(...nodes);
        rendered.push({
          key: block.key,
          raw: block.raw,
          nodes,
          ...(block.def ? { def: block.def.tag } : {}),
        });
      }
      // The tail is always last in the container, so appending keeps document order.
      this.#container.append(fragment);
    }
    if (stale.length > 0 || same < blocks.length) this.stats.tailRenders++;

    const settle = settleCount(blocks, src);
    for (const block of blocks.slice(0, settle)) {
      this.#settledEnd += block.raw.length;
      const def = block.def;
      // The first definition of a label wins, as in marked.
      if (def && !(def.tag in this.#links))
        this.#links[def.tag] = { href: def.href, title: def.title };
    }
    if (this.#plain && settle > 0) this.#plainOpen = plainContinues(blocks[settle - 1]);
    this.#settled.push(...rendered.slice(0, settle));
    this.#tail = rendered.slice(settle);
    this.#renderedTail = this.#text.length - this.#settledEnd;
  }

  #renderWhole(finalText: string): void {
    this.#reset();
    this.#raw = finalText;
    const { text, truncated } = prepareText(finalText, this.#maxLength);
    this.#text = text;
    this.#setTruncated(truncated);
    this.#scanner.push(text);
    const blocks = oneShotBlocks(text, this.#context, this.#scanner);
    this.stats.charsLexed += text.length;
    this.stats.fullRenders++;
    const fragment = document.createDocumentFragment();
    for (const block of blocks) {
      const nodes = buildBlock(block, this.#context);
      if (block.key !== '') this.stats.blocksRendered++;
      fragment.append(...nodes);
      this.#settled.push({ key: block.key, raw: block.raw, nodes });
    }
    this.#container.append(fragment);
    this.#settledEnd = text.length;
  }

  /**
   * The cheap check at the end of a stream. Streamed blocks can differ from a one-shot render
   * only where a lex of the tail started at an offset that depends on what came before (a list
   * that a fence inside an item split, say). Between two independent starts (`independentStarts`)
   * lexing alone gives the one-shot blocks, so only the regions around dependent lex starts are
   * lexed again, each on its own: most replies need none, and none needs the whole text lexed at
   * once, which took 20–70 ms at 8,000 tokens (a long task at the end of every long reply).
   * Returns false when it cannot vouch for the result (plain text, a cut text, reference
   * definitions, which reach back): the whole-text check runs then.
   */
  #verifyRegions(): boolean {
    const text = this.#text;
    if (this.#plain || this.#truncated) return false;
    const independent = independentStarts(text);
    const starts = [...this.#lexStarts].sort((a, b) => a - b);
    const safe = starts.filter((offset) => independent.has(offset));
    const have = [...this.#settled, ...this.#tail];
    // Block boundaries of what is shown, to splice at: settled blocks add up to the settled
    // offset; the tail (whose raws need not add up) counts as one piece to the end.
    const offsets = [0];
    for (const block of this.#settled) offsets.push(offsets.at(-1)! + block.raw.length);
    if (offsets.at(-1) !== this.#settledEnd) return false;
    offsets.push(...this.#tail.map(() => -1));
    offsets[have.length] = text.length;
    // A definition reaches back: blocks lexed before it was known may use its label.
    const links = Object.create(null) as Links;
    for (const [i, block] of have.entries()) {
      if (block.def === undefined) continue;
      const at = offsets[i]!;
      const before = text
        .slice(0, at < 0 ? this.#settledEnd : at)
        .toLowerCase()
        .replace(/\s+/g, ' ');
      if (before.includes(`[${block.def}`)) return false;
    }
    for (const tag in this.#links) links[tag] = this.#links[tag]!;
    const regions: [from: number, to: number][] = [];
    for (const start of starts) {
      if (independent.has(start) || start < (regions.at(-1)?.[1] ?? 0)) continue;
      const from = safe.filter((offset) => offset <= start).at(-1) ?? 0;
      regions.push([from, safe.find((offset) => offset > start) ?? text.length]);
    }
    const lexed: [first: number, last: number, want: SourceBlock[]][] = [];
    for (const [from, to] of regions) {
      const first = offsets.indexOf(from);
      const last = offsets.indexOf(to);
      if (first < 0 || last < 0) return false;
      try {
        lexed.push([first, last, markdownBlocks(text.slice(from, to), links, this.#context)]);
      } catch {
        return false;
      }
      this.stats.charsLexed += to - from;
    }
    // From the last region back, so that splicing one leaves the indexes of the others true.
    for (const [first, last, want] of lexed.reverse()) this.#repair(have, first, last, want);
    this.#settled = have;
    this.#tail = [];
    this.#settledEnd = text.length;
    return true;
  }

  /** Replaces `have[first, last)` with `want` where their keys differ (in place, in `have`). */
  #repair(have: RenderedBlock[], first: number, last: number, want: SourceBlock[]): void {
    const old = have.slice(first, last);
    if (old.length === want.length && old.every((block, i) => block.key === want[i]!.key)) return;
    const anchor = have.slice(last).find((b) => b.nodes.length > 0)?.nodes[0] ?? null;
    for (const block of old) for (const node of block.nodes) node.remove();
    const fragment = document.createDocumentFragment();
    const rebuilt = want.map((block) => {
      const nodes = buildBlock(block, this.#context);
      this.stats.blocksRendered++;
      fragment.append(...nodes);
      return {
        key: block.key,
        raw: block.raw,
        nodes,
        ...(block.def ? { def: block.def.tag } : {}),
      };
    });
    this.#container.insertBefore(fragment, anchor);
    have.splice(first, last - first, ...rebuilt);
    this.stats.finishRepairs++;
  }

  /** Makes the container match a one-shot render, rebuilding only the blocks that differ. */
  #verify(): void {
    const want = oneShotBlocks(this.#text, this.#context, this.#scanner).filter(
      (b) => b.key !== '',
    );
    this.stats.charsLexed += this.#text.length;
    const have = [...this.#settled, ...this.#tail].filter((b) => b.key !== '');
    let head = 0;
    while (head < want.length && head < have.length && want[head]!.key === have[head]!.key) head++;
    let tail = 0;
    while (
      tail < want.length - head &&
      tail < have.length - head &&
      want[want.length - 1 - tail]!.key === have[have.length - 1 - tail]!.key
    ) {
      tail++;
    }
    const keep = have.slice(have.length - tail);
    if (head < want.length || head < have.length) {
      for (const block of have.slice(head, have.length - tail)) {
        for (const node of block.nodes) node.remove();
      }
      const fragment = document.createDocumentFragment();
      const rebuilt = want.slice(head, want.length - tail).map((block) => {
        const nodes = buildBlock(block, this.#context);
        this.stats.blocksRendered++;
        fragment.append(...nodes);
        return { key: block.key, raw: block.raw, nodes };
      });
      const anchor = keep.find((b) => b.nodes.length > 0)?.nodes[0] ?? null;
      this.#container.insertBefore(fragment, anchor);
      this.#settled = [...have.slice(0, head), ...rebuilt, ...keep];
      this.stats.finishRepairs++;
    } else {
      this.#settled = have;
    }
    this.#tail = [];
    this.#settledEnd = this.#text.length;
  }
}

/** Plain-text rendering of `text` (no markdown), the same nodes the guards fall back to. */
export function renderPlainText(
  text: string,
  options: Pick<MarkdownOptions, 'maxLength'> = {},
): DocumentFragment {
  const fragment = document.createDocumentFragment();
  fragment.append(...plainNodes(prepareText(text, options.maxLength).text));
  return fragment;
}
