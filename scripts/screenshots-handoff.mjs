// Screenshots of a handoff to a person: `node scripts/screenshots-handoff.mjs` (builds first
// when dist/ is missing). A visitor on the demo page asks for a person, Maya takes the chat in
// the agent console and answers, and each side is typing.
// Writes docs/screenshots/console.png (the agent console) and docs/screenshots/handoff.png
// (the widget during the handoff).
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { hashPassword } from '../server/support/agents/passwords.js';
import { ROOT, ensureBuilt, freePort, launchBrowser, startServer } from '../test/e2e/harness.js';

const OUT = join(ROOT, 'docs', 'screenshots');
const PASSWORD = 'screenshots only';
const W = '#popup-chat';

ensureBuilt();
if (!existsSync(join(ROOT, 'dist', 'agent', 'agent-console.js'))) {
  execFileSync('npx', ['vite', 'build', '-c', 'vite.agent.config.ts'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}
mkdirSync(OUT, { recursive: true });

const hash = await hashPassword(PASSWORD);
const port = await freePort();
const server = await startServer({
  port,
  env: { DEMO_BOT_DELAY_MS: '1', AGENT_ACCOUNTS: `maya:${hash},sam:${hash}` },
});
const browser = await launchBrowser();
try {
  const agentContext = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
  });
  const agent = await agentContext.newPage();
  await agent.goto(new URL('/agent', server.url).toString());
  await agent.getByLabel('Name').fill('maya');
  await agent.getByLabel('Password').fill(PASSWORD);
  await agent.getByRole('button', { name: 'Sign in' }).click();
  await agent.getByText('Live', { exact: true }).waitFor();

  // A second visitor who only talks to the bot, so the inbox is not empty around the chat.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await otherPage.goto(server.url);
  const otherInput = otherPage.locator('#inline-chat [part="input"]');
  await otherInput.fill('Do you have a bike for steep hills?');
  await otherInput.press('Enter');

  const visitorContext = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    deviceScaleFactor: 1,
    colorScheme: 'light',
  });
  const visitor = await visitorContext.newPage();
  await visitor.goto(server.url);
  await visitor.evaluate(() => {
    const el = document.querySelector('#popup-chat');
    el.setAttribute('theme', 'light');
    el.open = true;
  });
  const input = visitor.locator(`${W} [part="input"]`);
  await input.fill('Can you compare the prices of your bikes?');
  await input.press('Enter');
  await visitor
    .locator(`${W} [part~="assistant"][data-state="complete"]:not([data-id="greeting"])`)
    .first()
    .waitFor();
  await visitor.locator(`${W} [part="escalate-button"]`).click();

  await agent
    .getByRole('button', { name: /Take the chat with/ })
    .first()
    .click();
  const composer = agent.getByLabel(/Reply to Visitor/);
  await composer.fill(
    'Hi, I’m Maya from the Brightside workshop. The **Cargo K2** is €3,450 and you can test-ride it any weekday. Which day suits you?',
  );
  await composer.press('Enter');
  await visitor.locator(`${W} [part~="agent"]`).first().waitFor();

  await input.fill('Thursday afternoon would be great!');
  await input.press('Enter');
  await agent.getByRole('log').getByText('Thursday afternoon would be great!').waitFor();
  await composer.fill('Thursday at 3 pm');
  await visitor.locator(`${W} [part="typing"]`).waitFor();

  await visitor.screenshot({ path: join(OUT, 'handoff.png') });
  console.log('wrote docs/screenshots/handoff.png');
  // Someone else asks for a person meanwhile: the inbox shows them waiting.
  await otherPage.locator('#inline-chat [part="escalate-button"]').click();
  await agent.getByRole('button', { name: /Take the chat with/ }).waitFor();
  await input.fill('Is there parking near the workshop?');
  await agent.getByText(/is typing…/).waitFor();
  await agent.screenshot({ path: join(OUT, 'console.png') });
  console.log('wrote docs/screenshots/console.png');
} finally {
  await browser.close();
  await server.kill();
}
