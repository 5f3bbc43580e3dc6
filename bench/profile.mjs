// Summarizes a CDP CPU profile of a bench page: self time per source file and per function, and
// inclusive time per widget function, with positions in the minified dist bundle mapped back through its
// source map, so the answer reads "src/markdown/streaming.ts" or "node_modules/marked/…" rather
// than "chat-widget.js:1".
import { SourceMap } from 'node:module';

/** `sourceMap` is the parsed dist/chat-widget.js.map, or undefined to leave bundle positions. */
export function summarizeProfile(profile, sourceMap, limit = 15) {
  const map = sourceMap ? new SourceMap(sourceMap) : undefined;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const where = new Map(profile.nodes.map((n) => [n.id, locate(n.callFrame, map)]));

  const selfByFunction = new Map();
  const selfByFile = new Map();
  const inclusive = new Map();
  const add = (m, key, us) => m.set(key, (m.get(key) ?? 0) + us);
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const us = profile.timeDeltas[i] ?? 0;
    const { fn, file } = where.get(id);
    add(selfByFunction, fn, us);
    add(selfByFile, file, us);
    // Each function once per sample, however often it recurs on the stack.
    const seen = new Set();
    for (let at = id; at !== undefined && nodes.has(at); at = parent.get(at)) {
      const key = where.get(at).fn;
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, us);
      }
    }
  }
  const rank = (m, skip = () => false) =>
    [...m]
      .filter(([key]) => !skip(key))
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([key, us]) => ({ where: key, ms: us / 1000 }));
  const totalMs = [...selfByFile.values()].reduce((a, b) => a + b, 0) / 1000;
  return {
    totalMs,
    byFile: rank(selfByFile),
    self: rank(selfByFunction),
    // The widget's own functions only: framework frames (Lit's update chain) would fill the list
    // with the same total, and library time shows up under the widget function that called it.
    inclusive: rank(inclusive, (key) => !/ src\//.test(key)),
    // The libraries' entry points and phases, e.g. DOMPurify's config parsing inside sanitize().
    inclusiveLibraries: rank(inclusive, (key) => !/node_modules\/(?:dompurify|marked)\//.test(key)),
  };
}

function locate(frame, map) {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return { fn: name, file: name.startsWith('(') ? name : '(native)' };
  const short = frame.url.replace(/^https?:\/\/[^/]+/, '');
  if (map && short.startsWith('/dist/chat-widget.js')) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
    if (entry && entry.originalSource) {
      const file = entry.originalSource.replace(/^(\.\.\/)+/, '');
      const original = entry.name ?? name;
      return { fn: `${original} ${file}:${entry.originalLine + 1}`, file };
    }
  }
  return { fn: `${name} ${short}:${frame.lineNumber + 1}`, file: short };
}
