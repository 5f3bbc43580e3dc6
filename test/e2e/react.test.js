// `chat-widget/react` in a real React 19 app: a TSX page that uses the wrapper (typed onChat…
// props, a property) and the plain `<chat-widget>` tag with the opt-in JSX types, type-checked
// strictly, bundled by Vite, and driven in Chromium against the reference server.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'vite';
import {
  ROOT,
  ensureBuilt,
  freePort,
  launchBrowserForTestPages,
  openTestPage,
  socketOrigin,
  startServer,
  watchErrors,
} from './harness.js';

const APP = `import { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ChatWidget } from 'chat-widget/react';
import type {} from 'chat-widget/jsx';

declare global {
  interface Window { heard: string[]; socket: string }
}
window.heard = [];

function App() {
  const [status, setStatus] = useState('none');
  return (
    <main>
      <p id="status">{status}</p>
      <ChatWidget
        id="w"
        mode="inline"
        server={window.socket}
        tokenUrl="/api/chat-token"
        strings={{ heading: 'React chat' }}
        onChatStatus={(e) => setStatus(e.detail.status)}
        onChatMessage={(e) => window.heard.push(e.detail.message.role)}
      />
      <chat-widget id="plain" mode="popup" protocol="stream" reply-timeout={30}></chat-widget>
    </main>
  );
}
createRoot(document.getElementById('root')!).render(<App />);
`;

describe('chat-widget/react in a React 19 app', () => {
  let browser;
  let server;
  let dir;
  let bundle;

  before(async () => {
    ensureBuilt();
    // Inside the repository (in node_modules/.cache, which git ignores), so that the app's own
    // imports of react and react-dom resolve as they would in a site's project.
    const cache = join(ROOT, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    dir = mkdtempSync(join(cache, 'cw-react-'));
    writeFileSync(join(dir, 'app.tsx'), APP);
    // Resolved as a site's bundler would: the package's own exports, here from the build.
    const alias = {
      'chat-widget/react': join(ROOT, 'dist', 'lib', 'react.js'),
      'chat-widget/jsx': join(ROOT, 'dist', 'lib', 'jsx.js'),
    };
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          jsx: 'react-jsx',
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'bundler',
          lib: ['ES2022', 'DOM'],
          skipLibCheck: true,
          typeRoots: [join(ROOT, 'node_modules', '@types')],
          types: [],
          paths: {
            'chat-widget/react': [join(ROOT, 'dist/lib/react.d.ts')],
            'chat-widget/jsx': [join(ROOT, 'dist/lib/jsx.d.ts')],
            react: [join(ROOT, 'node_modules/@types/react')],
            'react/jsx-runtime': [join(ROOT, 'node_modules/@types/react/jsx-runtime')],
            'react-dom/client': [join(ROOT, 'node_modules/@types/react-dom/client')],
          },
        },
        files: ['app.tsx'],
      }),
    );
    try {
      execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', dir], { encoding: 'utf8' });
    } catch (error) {
      throw new Error(`the React page does not type-check:\n${error.stdout}`);
    }
    await build({
      root: dir,
      logLevel: 'error',
      configFile: false,
      resolve: { alias },
      build: {
        outDir: join(dir, 'out'),
        lib: { entry: join(dir, 'app.tsx'), formats: ['es'], fileName: () => 'app.js' },
        rollupOptions: { external: [] },
      },
      define: { 'process.env.NODE_ENV': '"production"' },
    });
    bundle = readFileSync(join(dir, 'out', 'app.js'));
    server = await startServer({ port: await freePort() });
    browser = await launchBrowserForTestPages();
  });

  after(async () => {
    await browser?.close();
    await server?.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders, passes properties, and calls the typed onChat… props', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const errors = watchErrors(tab);
    await tab.route('**/react-app.js', (route) =>
      route.fulfill({ contentType: 'text/javascript', body: bundle }),
    );
    await openTestPage(
      tab,
      server,
      '/react.html',
      `<!doctype html><html lang="en"><body><div id="root"></div>
        <script>window.socket = ${JSON.stringify(`${socketOrigin(server)}/ws`)};</script>
        <script type="module" src="/react-app.js"></script></body></html>`,
    );
    await tab.locator('#status', { hasText: 'connected' }).waitFor();
    assert.equal(await tab.locator('#w [part="header"] h2').textContent(), 'React chat');
    await tab.locator('#w [part="input"]').fill('hello from React');
    await tab.locator('#w [part="input"]').press('Enter');
    await tab.waitForFunction(() => window.heard.includes('assistant'));
    assert.deepEqual(await tab.evaluate(() => window.heard.slice(0, 2)), ['user', 'assistant']);
    // The plain tag, typed by chat-widget/jsx, is the real element too.
    assert.equal(
      await tab.evaluate(() => document.querySelector('#plain').getAttribute('reply-timeout')),
      '30',
    );
    assert.equal(await tab.locator('#plain [part="launcher"]').count(), 1);
    assert.deepEqual(errors, []);
    assert.ok(readdirSync(join(dir, 'out')).includes('app.js'));
    await context.close();
  });
});
