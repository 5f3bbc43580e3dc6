// `npm run demo`: the demo page, the token endpoint and all four chat protocols in one process.
// `--protocol NAME` (or CHAT_PROTOCOL) picks the one the demo page starts with.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { readConfig } from './config.js';
import { describeEndpoints } from './protocols.js';

const { options, warnings } = readConfig(process.env, process.argv.slice(2));
for (const warning of warnings) console.warn(`warning: ${warning}`);

const widget = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'chat-widget.js');
if (!existsSync(widget)) {
  console.warn('warning: dist/chat-widget.js is missing; run `npm run build` (or `npm run demo`).');
}

let app;
try {
  app = await createApp(options);
} catch (err) {
  console.error(`Could not start: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}

console.log(`chat-widget demo running: open ${app.url}`);
console.log(`bot: ${app.bot.description}`);
console.log(
  `demo page starts with protocol ${options.protocol ?? 'stream'}; every protocol is served:`,
);
for (const line of describeEndpoints(app.url)) console.log(`  ${line}`);

let stopping = false;
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => {
    // A second Ctrl+C means "now", for when a client will not let go.
    if (stopping) process.exit(130);
    stopping = true;
    console.log('\nshutting down…');
    app.close().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
