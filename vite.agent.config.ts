import { defineConfig } from 'vite';

// The agent console (apps/agent-console/), served by the reference server at /agent. A separate
// build from the widget's: it must run after `vite build`, which empties dist/, and it writes
// only dist/agent/agent-console.js (plus its source map), one self-contained ES module.
export default defineConfig({
  build: {
    target: 'es2021',
    sourcemap: true,
    minify: true,
    outDir: 'dist/agent',
    emptyOutDir: true,
    lib: {
      entry: 'apps/agent-console/main.ts',
      formats: ['es'],
      fileName: () => 'agent-console.js',
    },
    rollupOptions: { output: { codeSplitting: false } },
  },
});
