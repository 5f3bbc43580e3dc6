// @custom-elements-manifest/analyzer reads the element's JSDoc (@attr, @prop, @fires,
// @csspart, @cssprop) into custom-elements.json. `npm run analyze:check` fails when the
// committed file differs from what the code says.
export default {
  globs: ['src/chat-widget.ts', 'src/define.ts', 'src/events.ts'],
  outdir: '.',
  litelement: true,
  dev: false,
};
