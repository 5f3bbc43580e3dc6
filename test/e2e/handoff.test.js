// End to end, "Talk to a human": a visitor on the demo page and agents in the console at /agent,
// each in their own browser context, against the real reference server. The widget's side is
// read through its public contract: `part="handoff"` with `data-state`, agent messages as
// `part="message agent"` with the name in `part="author"`, `part="typing"`, `chat-handoff`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hashPassword } from '../../server/support/agents/passwords.js';
import { start as startStrictServer } from '../fixtures/stream-server.js';
import {
  ROOT,
  ensureBuilt,
  freePort,
  launchBrowser,
  startServer,
  watchErrors,
  widgetOnPage,
} from './harness.js';

const PASSWORD = 'e2e agent password';
const { sel, open, connected, send, completeReplies, repliesComplete } = widgetOnPage();
const AXE = join(ROOT, 'node_modules', 'axe-core', 'axe.min.js');

function ensureConsoleBuilt() {
  if (!existsSync(join(ROOT, 'dist', 'agent', 'agent-console.js'))) {
    execFileSync('npx', ['vite', 'build', '-c', 'vite.agent.config.ts'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }
}

describe('handoff to a person, end to end', () => {
  let browser;
  let server;
  let env;

  before(async () => {
    ensureBuilt();
    ensureConsoleBuilt();
    const hash = await hashPassword(PASSWORD);
    env = { AGENT_ACCOUNTS: `maya:${hash},sam:${hash}` };
    server = await startServer({ port: await freePort(), env });
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.kill();
  });

  /** A visitor on the demo page; `chat-handoff` details of the inline widget are kept. */
  async function openVisitor(context, base = server.url) {
    return open(context, base, {
      init: () => {
        window.__handoffs = [];
        document.addEventListener(
          'chat-handoff',
          (event) => {
            if (event.target.id === 'inline-chat') window.__handoffs.push(event.detail);
          },
          true,
        );
      },
    });
  }

  async function signIn(context, name, base = server.url) {
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(new URL('/agent', base).toString());
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await live(page);
    return { page, errors };
  }

  const live = (page) => page.locator('agent-console .pill[data-status="connected"]').waitFor();
  const composer = (page) => page.getByLabel(/^Reply to Visitor/);
  const transcript = (page) => page.getByRole('log');
  const handoff = (page) => page.locator(sel('[part="handoff"]'));
  const agentMessages = (page) => page.locator(sel('[part~="message"][part~="agent"]'));
  const handoffs = (page) => page.evaluate(() => window.__handoffs);

  async function escalate(page) {
    await page.locator(sel('[part="escalate-button"]')).click();
  }

  it('queue, take, typing and messages both ways, reloads, hand-back, close', async () => {
    const agentContext = await browser.newContext();
    const visitorContext = await browser.newContext();
    const { page: agent, errors: agentErrors } = await signIn(agentContext, 'maya');
    const { page: visitor, errors: visitorErrors } = await openVisitor(visitorContext);

    await send(visitor, 'Can you show me a table?');
    await completeReplies(visitor).first().waitFor();

    // Escalate: the queue position is shown, and the console raises the chat.
    await escalate(visitor);
    await handoff(visitor).and(visitor.locator('[data-state="queued"]')).waitFor();
    assert.match(await handoff(visitor).innerText(), /1/);
    assert.deepEqual((await handoffs(visitor)).at(-1), { state: 'queued', position: 1 });
    const take = agent.getByRole('button', { name: /^Take the chat with Visitor/ });
    await take.waitFor();
    await agent.waitForFunction(() => document.title === '(1) Agent console');

    // The agent takes it and sees the whole bot transcript.
    await take.click();
    await composer(agent).waitFor();
    await transcript(agent).getByText('Can you show me a table?').waitFor();
    assert.ok((await transcript(agent).locator('table').count()) > 0, 'the bot reply, rendered');
    await visitor
      .locator(sel('[part="handoff"][data-state="assigned"]'), { hasText: 'Maya' })
      .waitFor();
    assert.deepEqual((await handoffs(visitor)).at(-1), {
      state: 'assigned',
      agent: { name: 'Maya' },
    });
    await agent.waitForFunction(() => document.title === 'Agent console');

    // Typing, both ways.
    await composer(agent).pressSequentially('Hi');
    await visitor.locator(sel('[part="typing"]'), { hasText: 'Maya is typing…' }).waitFor();
    await visitor.locator(sel('[part="input"]')).pressSequentially('I have a');
    await agent.getByText(/^Visitor \w{4} is typing…$/).waitFor();

    // Messages, both ways, with names.
    await composer(agent).fill('Hi, I am **Maya** from the workshop.');
    await composer(agent).press('Enter');
    const fromMaya = agentMessages(visitor).filter({ hasText: 'from the workshop' });
    await fromMaya.waitFor();
    assert.equal(await fromMaya.locator('[part="author"]').innerText(), 'Maya');
    assert.equal(await fromMaya.locator('strong').innerText(), 'Maya', 'markdown, rendered');
    await agent.getByText('Delivered').waitFor();
    await send(visitor, 'I have a question about the Cargo K2');
    await transcript(agent).getByText('I have a question about the Cargo K2').waitFor();
    assert.equal(await completeReplies(visitor).count(), 1, 'the bot stays silent');

    // Reload the visitor mid-chat: the person's message and the banner are still there, once.
    await visitor.reload();
    await connected(visitor);
    await visitor.locator(sel('[part="handoff"][data-state="assigned"]')).waitFor();
    await fromMaya.waitFor();
    assert.equal(await fromMaya.count(), 1);

    // Reload the console mid-chat: the chat reopens with its transcript and composer.
    await agent.reload();
    await live(agent);
    await transcript(agent).getByText('I have a question about the Cargo K2').waitFor();
    await composer(agent).fill('Still here after a reload.');
    await composer(agent).press('Enter');
    await agentMessages(visitor).filter({ hasText: 'Still here after a reload.' }).waitFor();

    // Hand back: the banner goes, and the bot answers again.
    await agent.getByRole('button', { name: 'Hand back to the assistant' }).click();
    await handoff(visitor).waitFor({ state: 'detached' });
    assert.equal((await handoffs(visitor)).at(-1).state, 'ended');
    await send(visitor, 'show me a list');
    await repliesComplete(visitor, 2);
    assert.ok((await completeReplies(visitor).last().locator('li').count()) > 0);

    // Again, and this time the agent closes it.
    await escalate(visitor);
    await agent.getByRole('button', { name: /^Take the chat with Visitor/ }).click();
    await visitor.locator(sel('[part="handoff"][data-state="assigned"]')).waitFor();
    await agent.getByRole('button', { name: 'Close chat' }).click();
    await handoff(visitor).waitFor({ state: 'detached' });
    assert.equal((await handoffs(visitor)).at(-1).state, 'ended');
    await agent.getByText('Maya closed the chat.').waitFor();

    // Signing out leads back to the sign-in form, without an error.
    await agent.getByRole('button', { name: 'Sign out' }).click();
    await agent.getByLabel('Password').waitFor();
    assert.equal(await agent.getByRole('alert').count(), 0);

    assert.deepEqual(agentErrors, []);
    assert.deepEqual(visitorErrors, []);
    await agentContext.close();
    await visitorContext.close();
  });

  it('two agents racing to take one chat: exactly one gets it, the other is told', async () => {
    const mayaContext = await browser.newContext();
    const samContext = await browser.newContext();
    const visitorContext = await browser.newContext();
    const { page: maya } = await signIn(mayaContext, 'maya');
    const { page: sam } = await signIn(samContext, 'sam');
    const { page: visitor } = await openVisitor(visitorContext);
    await escalate(visitor);

    const takeOf = (page) => page.getByRole('button', { name: /^Take the chat with Visitor/ });
    await Promise.all([takeOf(maya).waitFor(), takeOf(sam).waitFor()]);
    // Both clicks go out together. A playwright click first waits for the button to be stable,
    // and by then the winner's take may already have removed the loser's button: no race at all.
    const [mayaTake, samTake] = await Promise.all([
      takeOf(maya).elementHandle(),
      takeOf(sam).elementHandle(),
    ]);
    await Promise.all([mayaTake.evaluate((b) => b.click()), samTake.evaluate((b) => b.click())]);

    const outcome = async (page) => {
      const won = composer(page)
        .waitFor()
        .then(() => 'won');
      const lost = page
        .getByRole('alert')
        .filter({ hasText: /has already taken this chat/ })
        .waitFor()
        .then(() => 'lost');
      return Promise.race([won, lost]);
    };
    const results = await Promise.all([outcome(maya), outcome(sam)]);
    assert.deepEqual([...results].sort(), ['lost', 'won']);
    const winner = results[0] === 'won' ? 'Maya' : 'Sam';
    await visitor
      .locator(sel('[part="handoff"][data-state="assigned"]'), { hasText: winner })
      .waitFor();
    const assigned = (await handoffs(visitor)).filter((h) => h.state === 'assigned');
    assert.equal(assigned.length, 1, 'the visitor was assigned once');

    await (winner === 'Maya' ? maya : sam).getByRole('button', { name: 'Close chat' }).click();
    await handoff(visitor).waitFor({ state: 'detached' });
    for (const context of [mayaContext, samContext, visitorContext]) await context.close();
  });

  it('nobody available: the visitor leaves a message, and it reaches the console', async () => {
    // Its own server, so no agent of the tests before counts as recently online.
    const lonely = await startServer({ port: await freePort(), env });
    try {
      const visitorContext = await browser.newContext();
      const { page: visitor } = await openVisitor(visitorContext, lonely.url);
      await escalate(visitor);
      await visitor.locator(sel('[part="handoff"][data-state="unavailable"]')).waitFor();
      assert.equal((await handoffs(visitor)).at(-1).state, 'unavailable');
      await visitor.locator(sel('[part="handoff"] button'), { hasText: 'Leave a message' }).click();
      await visitor.locator(sel('[part="handoff"] input[name="email"]')).fill('ana@example.com');
      await visitor
        .locator(sel('[part="handoff"] textarea[name="message"]'))
        .fill('Please call me about a test ride.');
      await visitor.locator(sel('[part="handoff"] button[type="submit"]')).click();
      await visitor.locator(sel('[part="handoff"] [role="status"]')).waitFor();

      // The bot keeps answering meanwhile.
      await send(visitor, 'any news?');
      await completeReplies(visitor).first().waitFor();

      const agentContext = await browser.newContext();
      const { page: agent } = await signIn(agentContext, 'maya', lonely.url);
      const left = agent.getByRole('article', { name: 'Message from ana@example.com' });
      await left.waitFor();
      assert.match(await left.innerText(), /Please call me about a test ride\./);
      await left.getByRole('button', { name: 'Mark done' }).click();
      await left.waitFor({ state: 'detached' });
      await agentContext.close();
      await visitorContext.close();
    } finally {
      await lonely.kill();
    }
  });

  it('the demo’s one-time sign-in link lets its agent in once', async () => {
    const demo = await startServer({ port: await freePort() });
    try {
      let link;
      for (let i = 0; i < 50 && !link; i++) {
        link = /sign in once with: (\S+)/.exec(demo.output())?.[1];
        if (!link) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(link, 'the link is printed');
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(link);
      assert.equal(new URL(page.url()).pathname, '/agent', 'the token leaves the address bar');
      await live(page);
      await page.getByText('Signed in as').getByText('Maya').waitFor();
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name === 'cw_agent');
      assert.deepEqual(
        [session?.httpOnly, session?.sameSite, session?.path],
        [true, 'Strict', '/agent'],
      );

      const other = await browser.newContext();
      const again = await other.newPage();
      const response = await again.goto(link);
      assert.equal(response?.status(), 401);
      await context.close();
      await other.close();
    } finally {
      await demo.kill();
    }
  });

  it('a strict stream.md server: the widget sends no extension frame and escalation still answers', async () => {
    const strict = await startStrictServer();
    try {
      // A widget of its own on the demo page, pointed at the strict server. The demo's enforced
      // CSP allows no connection to another origin (connect-src 'self'), so this test's browser,
      // and only this one, ignores it.
      const context = await browser.newContext({ bypassCSP: true });
      const page = await context.newPage();
      const errors = watchErrors(page);
      const key = 'strict-handoff';
      await page.goto(server.url);
      await page.evaluate(
        ({ ws, http }) => {
          const el = document.createElement('chat-widget');
          el.id = 'strict-chat';
          el.setAttribute('mode', 'inline');
          el.setAttribute('server', ws);
          el.setAttribute('token-url', http);
          el.style.height = '600px';
          document.querySelector('main').prepend(el);
        },
        { ws: `${strict.ws}?key=${key}`, http: `${strict.http}/token?key=${key}` },
      );
      const strictSel = (s) => `#strict-chat ${s}`;
      await page.locator(strictSel('[part="status"][data-status="connected"]')).waitFor();
      const input = page.locator(strictSel('[part="input"]'));
      await input.fill('hello strict server');
      await input.press('Enter');
      await page
        .locator(strictSel('[part~="assistant"][data-state="complete"]'), {
          hasText: 'echo: hello strict server',
        })
        .waitFor();
      await input.pressSequentially('typing here');
      await page.locator(strictSel('[part="escalate-button"]')).click();
      await page
        .locator(strictSel('[part~="system"]'), { hasText: 'A human agent will contact you soon.' })
        .waitFor();
      assert.equal(await page.locator(strictSel('[part="handoff"]')).count(), 0);

      const received = await (await fetch(`${strict.http}/__received?key=${key}`)).json();
      const kinds = new Set(received.map((f) => f.type));
      assert.deepEqual(
        [...kinds].filter((k) => !['chat', 'human-escalation', 'ping'].includes(k)),
        [],
        `only stream.md frames: ${[...kinds].join(', ')}`,
      );
      assert.deepEqual(errors, []);
      await context.close();
    } finally {
      await strict.close();
    }
  });

  it('the console passes axe, signed out and with a chat open, and works on a phone', async () => {
    // Someone is online, so the visitor is queued.
    const mayaContext = await browser.newContext();
    await signIn(mayaContext, 'maya');
    const visitorContext = await browser.newContext();
    const { page: visitor } = await openVisitor(visitorContext);
    await send(visitor, 'Show me some code');
    await completeReplies(visitor).first().waitFor();
    await escalate(visitor);

    for (const colorScheme of ['light', 'dark']) {
      // The page's policy forbids injected scripts; axe is the test's, not the page's.
      const context = await browser.newContext({ bypassCSP: true, colorScheme });
      const page = await context.newPage();
      await page.goto(new URL('/agent', server.url).toString());
      await page.getByLabel('Name').waitFor();
      assert.deepEqual(await axeViolations(page), [], `sign-in, ${colorScheme}`);
      await page.getByLabel('Name').fill('sam');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await live(page);
      const take = page.getByRole('button', { name: /^Take the chat with Visitor/ });
      if (colorScheme === 'light') {
        await take.click();
        await composer(page).fill('Here is the snippet you asked for:');
        await composer(page).press('Enter');
      } else {
        await page
          .getByRole('button', { name: /^Visitor \w{4}/ })
          .first()
          .click();
      }
      await page.getByRole('log').locator('pre').first().waitFor();
      assert.deepEqual(await axeViolations(page), [], `chat open, ${colorScheme}`);
      await context.close();
    }

    // A phone: the inbox, then one chat at a time, keyboard only, nothing wider than the screen.
    const phone = await browser.newContext({
      viewport: { width: 390, height: 780 },
      isMobile: true,
      hasTouch: true,
    });
    const { page } = await signIn(phone, 'sam');
    const chatLink = page.getByRole('button', { name: /^Visitor \w{4}/ }).first();
    await chatLink.focus();
    await page.keyboard.press('Enter');
    await composer(page).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Inbox' }).isVisible(), false);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth));
    await composer(page).focus();
    await page.keyboard.type('Sent from a phone');
    await page.keyboard.press('Enter');
    await agentMessages(visitor).filter({ hasText: 'Sent from a phone' }).waitFor();
    await page.getByRole('button', { name: 'Back to the inbox' }).click();
    await page.getByRole('navigation', { name: 'Inbox' }).waitFor();
    await page.getByRole('button', { name: 'Close chat' }).count();
    await phone.close();
    await visitorContext.close();
    await mayaContext.close();
  });
});

/** axe-core's WCAG 2 A/AA violations on the page, shadow roots included. */
async function axeViolations(page) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5),
    }));
  });
  return violations;
}
