import { defineConfig } from 'vite';

// Two library builds from one entry: `vite build` writes the ES module and
// `vite build --mode iife` the classic script. Vite cannot emit an IIFE next to
// an ES build when the ES build could code-split, so they are separate passes.
export default defineConfig(({ mode }) => {
  const iife = mode === 'iife';
  return {
    build: {
      target: 'es2022',
      sourcemap: true,
      minify: true,
      emptyOutDir: !iife,
      lib: {
        entry: 'src/index.ts',
        name: 'ChatWidget',
        formats: [iife ? 'iife' : 'es'],
        fileName: () => (iife ? 'chat-widget.iife.js' : 'chat-widget.js'),
      },
      // Vite leaves whitespace in ES library builds (to keep pure annotations for
      // downstream bundlers); a CDN file is final, so minify it fully.
      rollupOptions: { output: { inlineDynamicImports: true, minify: true } },
    },
    server: { open: '/demo/' },
  };
});
