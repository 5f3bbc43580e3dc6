// `npm run demo`: the demo page, the token endpoint and the chat socket in one process.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { readConfig } from './config.js';

const { options, warnings } = readConfig(process.env);
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
