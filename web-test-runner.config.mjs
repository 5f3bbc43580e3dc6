import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { launchOptions } from './scripts/browser.mjs';
import { fixtureServers } from './test/fixtures/plugin.mjs';

export default {
  files: ['test/**/*.test.ts', '!test/e2e/**'],
  // Production Lit, as sites get it (and no "Lit is in dev mode" in every file's output).
  nodeResolve: { exportConditions: ['production'] },
  // The widget's console.debug lines (ignored frames, backend detail) only when asked for.
  filterBrowserLogs: ({ type }) => type !== 'debug' || process.env.DEBUG_BROWSER_LOGS === '1',
  concurrency: 2,
  // A file's whole run (the XSS corpus streams 300 vectors several ways) on a busy 2-core machine.
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 10000 } },
  // A failed assertion about a DOM node is reported, not stalled on: see test/describe-nodes.js.
  testRunnerHtml: (testFramework) =>
    `<!doctype html><html><body>
      <script type="module" src="/test/describe-nodes.js"></script>
      <script type="module" src="${testFramework}"></script>
    </body></html>`,
  plugins: [
    fixtureServers(),
    esbuildPlugin({ ts: true, target: 'es2021', tsconfig: 'tsconfig.json' }),
  ],
  browsers: [playwrightLauncher({ product: 'chromium', launchOptions: launchOptions() })],
};
