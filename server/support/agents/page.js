/**
 * The agent console's HTML. Everything it runs comes from `/agent/agent-console.js` (built from
 * apps/agent-console/ by vite.agent.config.ts); styles are set by the script as constructed
 * stylesheets, so the page needs no inline script or style and its policy can be strict. It
 * names no language: the console chooses one by the widget's rules (the browser's languages,
 * here) and sets the page's `lang` and `dir` to it.
 */

export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // Avatars may live on another https host (AGENT_ACCOUNTS_FILE); transcripts show no images.
  "img-src 'self' https: data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_HEADERS = Object.freeze({
  'Content-Security-Policy': CONSOLE_CSP,
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
});

export const CONSOLE_HTML = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <meta name="robots" content="noindex" />
    <title>Agent console</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
    <script type="module" src="/agent/agent-console.js"></script>
  </head>
  <body>
    <agent-console>
      <p>Loading the agent console… If this stays, the console has not been built: run
        <code>npm run build</code> (or <code>npx vite build -c vite.agent.config.ts</code>).</p>
    </agent-console>
  </body>
</html>
`;

/** @param {string} title @param {string} text plain text, escaped here */
export function messagePage(title, text) {
  const escape = (/** @type {string} */ s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escape(title)}</title>
  </head>
  <body>
    <h1>${escape(title)}</h1>
    <p>${escape(text)}</p>
    <p><a href="/agent">Go to the agent console</a></p>
  </body>
</html>
`;
}
