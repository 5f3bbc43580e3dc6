import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';

/**
 * Minifies the CSS inside `css\`…\`` literals of `*.styles.ts` files: comments go,
 * whitespace runs shrink to one space, and spaces next to `{ } ; ,` and after `:`
 * are dropped. A space before `:` is kept, since in a selector it is a descendant
 * combinator (`[part='content'] :not(pre)`); spaces inside `calc()` are kept.
 */
function minifyCssLiterals(): Plugin {
  const minify = (css: string) =>
    css
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s*([{};,])\s*/g, '$1')
      .replace(/:\s+/g, ':')
      .trim();
  return {
    name: 'minify-css-literals',
    transform(code, id) {
      if (!/\.styles\.ts$/.test(id)) return undefined;
      // Static parts are minified one by one; `${name}` interpolations (composed fragments) stay.
      // Only the insides of template literals change, so the existing map stays close enough
      // (lines within a styles file may shift); `map: null` says so instead of a warning.
      const minified = code.replace(
        /css`((?:[^`$]|\$\{\w+\})*)`/g,
        (_whole, body: string) =>
          'css`' +
          body
            .split(/(\$\{\w+\})/)
            .map((part) => (part.startsWith('${') ? part : minify(part)))
            .join('') +
          '`',
      );
      return { code: minified, map: null };
    },
  };
}

/** The Subresource Integrity value of a built file (sha384, as `integrity=` takes it). */
function integrityOf(file: string): string {
  return `sha384-${createHash('sha384').update(readFileSync(file)).digest('base64')}`;
}

/**
 * `vite build --mode loader`: `dist/chat-widget.loader.js`, a classic script with the full ES
 * module's integrity value baked in, so it runs after the ES build (see `npm run build`).
 */
function loaderConfig() {
  return {
    define: { __CHAT_WIDGET_INTEGRITY__: JSON.stringify(integrityOf('dist/chat-widget.js')) },
    plugins: [minifyCssLiterals()],
    build: {
      target: 'es2022',
      sourcemap: true,
      minify: true,
      emptyOutDir: false,
      lib: {
        entry: 'src/loader/index.ts',
        name: 'ChatWidgetLoader',
        formats: ['iife' as const],
        fileName: () => 'chat-widget.loader.js',
      },
      rollupOptions: { output: { codeSplitting: false, minify: true } },
    },
  };
}

// Two library builds from one entry: `vite build` writes the ES module and
// `vite build --mode iife` the classic script. Vite cannot emit an IIFE next to
// an ES build when the ES build could code-split, so they are separate passes.
export default defineConfig(({ mode }) => {
  if (mode === 'loader') return loaderConfig();
  const iife = mode === 'iife';
  return {
    plugins: [minifyCssLiterals()],
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
      rollupOptions: { output: { codeSplitting: false, minify: true } },
    },
    server: { open: '/demo/' },
  };
});
