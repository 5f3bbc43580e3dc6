// Block → DOM nodes. The only place HTML strings become nodes, always through our own DOMPurify
// instance into its inert document, where policy is enforced before anything is adopted into the
// live page. Copy buttons are created here with DOM calls, never from HTML.
import DOMPurify from 'dompurify';
import type { Config, DOMPurify as Purifier, UponSanitizeAttributeHookEvent } from 'dompurify';
import {
  imageSrc,
  linkHref,
  LANGUAGE_CLASS,
  plainBlocks,
  type PolicyContext,
  type SourceBlock,
} from './parse.js';

/**
 * The Trusted Types policy this module creates (once, lazily) and hands to DOMPurify. A page that
 * enforces Trusted Types must list it: `trusted-types chat-widget-markdown`. If it cannot be
 * created, DOMPurify falls back to its own `dompurify` policy; if that fails too, blocks render as
 * plain text instead of HTML.
 */
export const TRUSTED_TYPES_POLICY_NAME = 'chat-widget-markdown';

export interface Labels {
  copy: string;
  copied: string;
  codeBlock?: string;
}

export const DEFAULT_LABELS: Labels = { copy: 'Copy', copied: 'Copied' };

/** How long the button says "copied" before it offers to copy again. */
export const COPIED_FEEDBACK_MS = 2000;

export interface BuildContext extends PolicyContext {
  labels: Labels;
}

// --- Trusted Types -------------------------------------------------------------------------

type Policy = NonNullable<Config['TRUSTED_TYPES_POLICY']>;
interface TrustedTypesFactory {
  createPolicy(
    name: string,
    rules: { createHTML(s: string): string; createScriptURL(s: string): string },
  ): Policy;
}

let ttPolicy: Policy | null | undefined;

function trustedTypesPolicy(): Policy | null {
  if (ttPolicy !== undefined) return ttPolicy;
  const factory = (globalThis as { trustedTypes?: TrustedTypesFactory }).trustedTypes;
  ttPolicy = null;
  if (factory) {
    try {
      // Identity on purpose, like DOMPurify's own policy: its only consumer is DOMPurify, which
      // parses into an inert document and returns sanitized nodes. The object never leaves here.
      ttPolicy = factory.createPolicy(TRUSTED_TYPES_POLICY_NAME, {
        createHTML: (s) => s,
        createScriptURL: (s) => s,
      });
    } catch {
      // The page's CSP does not allow our name; DOMPurify will try `dompurify`.
    }
  }
  return ttPolicy;
}

// --- DOMPurify -----------------------------------------------------------------------------

/** Attributes each element may keep; anything else is dropped by the attribute hook. */
const ATTRIBUTES = new Map<string, ReadonlySet<string>>([
  ['A', new Set(['href', 'title'])],
  ['IMG', new Set(['src', 'alt', 'title'])],
  ['OL', new Set(['start'])],
  ['TH', new Set(['align'])],
  ['TD', new Set(['align'])],
  ['CODE', new Set(['class'])],
  ['INPUT', new Set(['type', 'checked', 'disabled'])],
]);

const VALUE_RULES = new Map<string, RegExp>([
  ['class', LANGUAGE_CLASS],
  ['start', /^\d{1,9}$/],
  ['align', /^(?:left|center|right)$/],
  ['type', /^checkbox$/],
]);

const BASE_CONFIG = {
  // What marked emits for markdown, nothing more.
  ALLOWED_TAGS: (
    'p h1 h2 h3 h4 h5 h6 ul ol li blockquote pre code table thead tbody tr th td ' +
    'a img em strong del hr br input'
  ).split(' '),
  ALLOWED_ATTR: 'href title src alt start align class type checked disabled'.split(' '),
  // Already outside the allow-list; named so that widening it later cannot let these in.
  FORBID_TAGS: 'style script form button svg math iframe object embed template'.split(' '),
  FORBID_ATTR: ['style', 'id', 'name'],
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  // A second line behind linkHref/imageSrc, which see the parsed value in the hook below.
  ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto):|#)/i,
  // DOMPurify checks every attribute not listed as URI-safe against that regexp, which would
  // drop `type="checkbox"` and `align="left"`; VALUE_RULES pins these down instead.
  ADD_URI_SAFE_ATTR: ['type', 'align', 'start', 'checked', 'disabled'],
  RETURN_DOM_FRAGMENT: true,
} satisfies Config;

interface Pending {
  context: PolicyContext;
  unwrap: Element[];
  images: { img: Element; src: string }[];
  remove: Element[];
}

let purifier: Purifier | undefined;
let pending: Pending | null = null;
/** The Trusted Types policy the purifier's config was set with (`undefined`: not set yet). */
let configuredWith: Policy | null | undefined;

function onAttribute(node: Element, event: UponSanitizeAttributeHookEvent): void {
  const allowed = ATTRIBUTES.get(node.nodeName);
  const rule = VALUE_RULES.get(event.attrName);
  if (!allowed?.has(event.attrName) || (rule && !rule.test(event.attrValue))) {
    event.keepAttr = false;
  }
}

// Runs on the inert document's nodes with the values the browser would actually use (entities
// decoded), which is why the URL policy is decided here and not on marked's strings.
function afterAttributes(node: Element): void {
  const state = pending;
  if (!state) return;
  switch (node.nodeName) {
    case 'A': {
      const href = linkHref(node.getAttribute('href') ?? '');
      if (href === null) {
        node.removeAttribute('href');
        state.unwrap.push(node);
      } else {
        node.setAttribute('href', href);
        if (!href.startsWith('#')) {
          node.setAttribute('target', '_blank');
          node.setAttribute('rel', 'noopener noreferrer');
        }
      }
      break;
    }
    case 'IMG': {
      const original = node.getAttribute('src') ?? '';
      const src = imageSrc(original, state.context);
      if (src === null) {
        node.removeAttribute('src');
        state.images.push({ img: node, src: original });
      } else {
        node.setAttribute('src', src);
        node.setAttribute('loading', 'lazy');
        node.setAttribute('referrerpolicy', 'no-referrer');
        if (!node.hasAttribute('alt')) node.setAttribute('alt', '');
      }
      break;
    }
    case 'INPUT':
      if (node.getAttribute('type') === 'checkbox') node.setAttribute('disabled', '');
      else state.remove.push(node);
      break;
  }
}

function getPurifier(): Purifier {
  if (!purifier) {
    // Our own instance: hooks and config never leak into a DOMPurify the host page uses.
    purifier = DOMPurify(window);
    purifier.addHook('uponSanitizeAttribute', onAttribute);
    purifier.addHook('afterSanitizeAttributes', afterAttributes);
  }
  return purifier;
}

/**
 * Sanitizes `html` into a fragment owned by DOMPurify's inert document, with links and images
 * already made to follow the policy. Null when sanitizing is impossible (no DOMPurify support,
 * Trusted Types refusing both policies); the caller then shows text.
 */
export function sanitizeToFragment(html: string, context: PolicyContext): DocumentFragment | null {
  const purify = getPurifier();
  if (!purify.isSupported) return null;
  const policy = trustedTypesPolicy();
  // Set once, not passed per call: DOMPurify re-parses a config given to `sanitize` on every
  // call, which was a fifth of the sanitizing time while a reply streams.
  if (configuredWith !== policy) {
    purify.setConfig(policy ? { ...BASE_CONFIG, TRUSTED_TYPES_POLICY: policy } : BASE_CONFIG);
    configuredWith = policy;
  }
  const state: Pending = { context, unwrap: [], images: [], remove: [] };
  pending = state;
  let result: unknown;
  try {
    result = purify.sanitize(html);
  } catch {
    return null;
  } finally {
    pending = null;
  }
  // Unsupported environments hand the input string back; it must never be treated as safe.
  if (!(result instanceof Node) || result.nodeType !== Node.DOCUMENT_FRAGMENT_NODE) return null;
  const fragment = result as DocumentFragment;
  for (const a of state.unwrap) a.replaceWith(...Array.from(a.childNodes));
  for (const { img, src } of state.images) img.replaceWith(imageFallback(img, src));
  for (const el of state.remove) el.remove();
  return fragment;
}

/** What a forbidden image becomes: a link to it if it is a linkable URL, else its alt text. */
function imageFallback(img: Element, src: string): Node {
  const doc = img.ownerDocument;
  const alt = img.getAttribute('alt') ?? '';
  const href = img.parentElement?.closest('a') ? null : linkHref(src);
  if (href === null) return doc.createTextNode(alt);
  const a = doc.createElement('a');
  a.setAttribute('href', href);
  if (!href.startsWith('#')) {
    a.setAttribute('target', '_blank');
    a.setAttribute('rel', 'noopener noreferrer');
  }
  const title = img.getAttribute('title');
  if (title) a.setAttribute('title', title);
  a.textContent = alt || href;
  return a;
}

// --- blocks --------------------------------------------------------------------------------

/**
 * Plain-text rendering: paragraphs at blank lines, `<br>` at line breaks, text nodes only. Long
 * paragraphs come out as several `<p data-chunk>` (see PLAIN_CHUNK_LINES) styled as one.
 */
export function plainNodes(text: string, doc: Document = document): Node[] {
  return plainBlocks(text).flatMap((block) => plainParagraph(block, doc));
}

function plainParagraph(block: SourceBlock, doc: Document = document): ChildNode[] {
  if (block.html === '') return [];
  const p = doc.createElement('p');
  if (block.chunk) p.setAttribute('data-chunk', block.chunk);
  block.html.split('\n').forEach((line, i) => {
    if (i > 0) p.append(doc.createElement('br'));
    p.append(line);
  });
  return [p, doc.createTextNode('\n')];
}

/** The nodes of one block, ready to insert. Empty for blocks that render nothing. */
export function buildBlock(block: SourceBlock, context: BuildContext): ChildNode[] {
  if (block.html === '') return [];
  if (block.type === 'plain') return plainParagraph(block);
  const fragment = sanitizeToFragment(block.html, context);
  if (!fragment) return plainNodes(block.raw) as ChildNode[];
  addCopyButtons(fragment, context.labels);
  return Array.from(fragment.childNodes);
}

// --- copy buttons --------------------------------------------------------------------------

// Sanitized content can hold neither <button> nor data-* attributes, so this marks our own.
const COPY_ATTR = 'data-copy-code';

function addCopyButtons(fragment: DocumentFragment, labels: Labels): void {
  for (const pre of Array.from(fragment.querySelectorAll('pre'))) {
    const doc = pre.ownerDocument;
    const wrapper = doc.createElement('div');
    wrapper.setAttribute('part', 'code-block');
    const lang = /(?:^|\s)language-(\S+)/.exec(pre.querySelector('code')?.className ?? '')?.[1];
    if (lang) wrapper.setAttribute('data-lang', lang);
    if (labels.codeBlock) {
      wrapper.setAttribute('role', 'group');
      wrapper.setAttribute('aria-label', labels.codeBlock);
    }
    const button = doc.createElement('button');
    button.setAttribute('type', 'button');
    button.setAttribute('part', 'copy-button');
    button.setAttribute(COPY_ATTR, '');
    // The label change to "copied" is the only feedback; announce it.
    button.setAttribute('aria-live', 'polite');
    button.textContent = labels.copy;
    pre.replaceWith(wrapper);
    wrapper.append(pre, button);
  }
}

/**
 * Click handling for copy buttons (and in-page `#` links) inside `container`, by delegation.
 * Returns a function that removes it again.
 */
export function attachBehavior(
  container: HTMLElement,
  labels: Labels = DEFAULT_LABELS,
): () => void {
  const timers = new Map<Element, ReturnType<typeof setTimeout>>();
  let attached = true;
  const onClick = (event: Event): void => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    const button = target.closest(`button[${COPY_ATTR}]`);
    if (button && container.contains(button)) {
      copy(button);
      return;
    }
    const anchor = target.closest('a[href^="#"]');
    // In a shadow root a fragment link cannot reach its target and would instead rewrite the
    // host page's URL, which hash-routed apps treat as navigation.
    if (anchor && container.contains(anchor)) event.preventDefault();
  };
  const copy = (button: Element): void => {
    const code = button.parentElement?.querySelector('pre code, pre');
    const clipboard = navigator.clipboard as Clipboard | undefined;
    if (!code || !clipboard) return;
    // marked ends every code block with a newline that was not part of the fence's content.
    clipboard.writeText((code.textContent ?? '').replace(/\n$/, '')).then(
      () => {
        if (!attached || !container.contains(button)) return;
        button.textContent = labels.copied;
        button.setAttribute('data-copied', '');
        clearTimeout(timers.get(button));
        timers.set(
          button,
          setTimeout(() => {
            timers.delete(button);
            button.textContent = labels.copy;
            button.removeAttribute('data-copied');
          }, COPIED_FEEDBACK_MS),
        );
      },
      () => {
        // Permission denied or no focus: nothing was copied, so the label stays as it was.
      },
    );
  };
  container.addEventListener('click', onClick);
  return () => {
    attached = false;
    container.removeEventListener('click', onClick);
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
  };
}

// --- plain text out ------------------------------------------------------------------------

const BLOCK_ELEMENTS = new Set([
  'P',
  'LI',
  'TR',
  'PRE',
  'BLOCKQUOTE',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
]);

const CONTAINERS = new Set([
  '#document-fragment',
  'UL',
  'OL',
  'BLOCKQUOTE',
  'TABLE',
  'THEAD',
  'TBODY',
  'TR',
  'DIV',
]);

/** The readable text of a block: what a screen reader or a notification should say. */
export function blockText(block: SourceBlock, context: PolicyContext): string {
  if (block.html === '') return '';
  if (block.type === 'plain') return block.html;
  const fragment = sanitizeToFragment(block.html, context);
  if (!fragment) return block.raw.trim();
  let out = '';
  const walk = (node: Node): void => {
    if (node.nodeType === Node.TEXT_NODE) {
      const value = node.nodeValue ?? '';
      // marked's newlines between list items, rows and blocks are layout, not text.
      const parent = node.parentNode;
      if (value.trim() === '' && (!parent || CONTAINERS.has(parent.nodeName))) return;
      out += value;
      return;
    }
    const el = node as Element;
    if (el.nodeName === 'IMG') out += el.getAttribute('alt') ?? '';
    else if (el.nodeName === 'BR') out += '\n';
    else if (el.nodeName === 'TD' || el.nodeName === 'TH') out += '\t';
    for (let child = node.firstChild; child; child = child.nextSibling) walk(child);
    if (BLOCK_ELEMENTS.has(el.nodeName) && !out.endsWith('\n')) out += '\n';
  };
  for (let child = fragment.firstChild; child; child = child.nextSibling) walk(child);
  return out.replace(/\n{3,}/g, '\n\n').trim();
}
