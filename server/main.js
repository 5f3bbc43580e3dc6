// `npm run demo`: the demo page, the token endpoint and all four chat protocols in one process.
// `--protocol NAME` (or CHAT_PROTOCOL) picks the one the demo page starts with.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAgentConfig } from './support/agents/accounts.js';
import { createApp } from './app.js';
import { readConfig } from './config.js';
import { describeEndpoints } from './protocols.js';

const { options, warnings } = readConfig(process.env, process.argv.slice(2));
const agentConfig = readAgentConfig(process.env);
for (const warning of [...warnings, ...agentConfig.warnings]) console.warn(`warning: ${warning}`);

// With no agents configured, one demo agent with no password: the link printed below is the
// only way in, so nobody else can answer the demo's visitors. Accounts that were configured but
// could not be read (see the warnings) do not turn into a demo agent.
const DEMO_AGENT = { id: 'maya', name: 'Maya' };
const demoAgent = !process.env.AGENT_ACCOUNTS && !process.env.AGENT_ACCOUNTS_FILE;
options.agents = demoAgent ? [DEMO_AGENT] : agentConfig.accounts;
options.agentHours = agentConfig.hours;

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
if (options.redisUrl) {
  const redis = new URL(options.redisUrl);
  // Host and port only: the URL may hold a password.
  console.log(`store: Redis at ${redis.protocol}//${redis.host} (health: /healthz, /readyz)`);
} else {
  console.log('store: this process only (set REDIS_URL to run several)');
}
console.log(
  `demo page starts with protocol ${options.protocol ?? 'stream'}; every protocol is served:`,
);
for (const line of describeEndpoints(app.url)) console.log(`  ${line}`);
if (!existsSync(join(dirname(widget), 'agent', 'agent-console.js'))) {
  console.warn(
    'warning: dist/agent/agent-console.js is missing; /agent has no console until built.',
  );
}
if (demoAgent) {
  console.log(
    `agent console: ${new URL('agent', app.url)} (no AGENT_ACCOUNTS set, so one demo agent, Maya)`,
  );
  console.log(`  sign in once with: ${await app.createLoginLink(DEMO_AGENT.id)}`);
} else {
  const names = agentConfig.accounts.map((a) => a.id).join(', ') || 'none could be read';
  console.log(`agent console: ${new URL('agent', app.url)} (agents: ${names})`);
}
if (agentConfig.hours) console.log(`  people take chats ${agentConfig.hours.label}`);

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
