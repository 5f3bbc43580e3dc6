// Summarizes a CDP CPU profile of the widget page: self time per function and per source file,
// with positions in the minified dist bundle mapped back through its source map, so the answer
// reads "src/markdown/streaming.ts" or "node_modules/marked/…" rather than "chat-widget.js:1".
import { SourceMap } from 'node:module';

/** `sourceMap` is the parsed dist/chat-widget.js.map, or undefined to leave bundle positions. */
export function summarizeProfile(profile, sourceMap, limit = 15) {
  const map = sourceMap ? new SourceMap(sourceMap) : undefined;
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map();
  const byFile = new Map();
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    if (us === 0) continue;
    const { where, file } = locate(node.callFrame, map);
    byFunction.set(where, (byFunction.get(where) ?? 0) + us);
    byFile.set(file, (byFile.get(file) ?? 0) + us);
  }
  const rank = (m) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([where, us]) => ({ where, selfMs: us / 1000 }));
  const totalMs = [...byFile.values()].reduce((a, b) => a + b, 0) / 1000;
  return { totalMs, top: rank(byFunction), byFile: rank(byFile) };
}

function locate(frame, map) {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return { where: name, file: name.startsWith('(') ? name : '(native)' };
  const short = frame.url.replace(/^https?:\/\/[^/]+/, '');
  if (map && short.startsWith('/dist/chat-widget.js')) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber);
    if (entry && entry.originalSource) {
      const file = entry.originalSource.replace(/^(\.\.\/)+/, '');
      const original = entry.name ?? name;
      return { where: `${original} ${file}:${entry.originalLine + 1}`, file };
    }
  }
  return { where: `${name} ${short}:${frame.lineNumber + 1}`, file: short };
}
