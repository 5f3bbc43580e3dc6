import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDemoBot, demoReplyText, tokenize } from '../../server/bots/demo-bot.js';

/** @param {string} content */
const ask = (content) => demoReplyText([{ role: 'user', content }]);

test('keywords pick replies that exercise the Markdown renderer', () => {
  assert.match(ask('Can you show me a TABLE?'), /\n\| :--- \| ---: \|/);
  assert.match(ask('some code please'), /```html\n[\s\S]*\n```/);
  assert.match(ask('make a list'), /\n1\. \*\*Charge\*\*[\s\S]*\n {3}- city/);
  assert.match(ask('test the html sanitizer'), /<script>/);
  assert.match(ask('something long'), /### /);
  assert.match(ask('I want a human'), /Talk to a human/);
  assert.match(ask('help'), /- \*\*table\*\*/);
  assert.match(ask('hello'), /type \*\*help\*\*/i);
  const fallback = ask('what is the weather like?');
  assert.match(fallback, /^You said:\n\n> what is the weather like\?\n/);
  assert.match(fallback, /\*\*help\*\*/);
});

test('replies are deterministic', () => {
  assert.equal(ask('table'), ask('table'));
  assert.equal(ask('anything'), ask('anything'));
});

test('tokens join back to the text and cut inside ** and code fences', () => {
  for (const content of ['table', 'code', 'list', 'html', 'long', 'help', 'hi', '?']) {
    const text = ask(content);
    const tokens = tokenize(text);
    assert.equal(tokens.join(''), text, content);
    assert.ok(
      tokens.every((token) => token.length > 0),
      content,
    );
  }
  const code = tokenize(ask('code'));
  assert.ok(code.includes('\n\n`') && code.includes('``html'), 'a fence split across tokens');
  assert.deepEqual(tokenize('a **b** c'), ['a', ' *', '*b*', '*', ' c']);
  assert.deepEqual(tokenize('👋👋👋👋👋👋👋👋👋👋👋👋👋'), ['👋'.repeat(12), '👋']);
});

test('the bot streams the tokens and stops when aborted', async () => {
  const bot = createDemoBot({ delayMs: 0 });
  const history = [{ role: /** @type {const} */ ('user'), content: 'list' }];
  const all = [];
  for await (const token of bot.reply({ history, signal: new AbortController().signal })) {
    all.push(token);
  }
  assert.deepEqual(all, tokenize(ask('list')));

  for (const delayMs of [0, 1]) {
    const controller = new AbortController();
    const seen = [];
    await assert.rejects(async () => {
      for await (const token of createDemoBot({ delayMs }).reply({
        history,
        signal: controller.signal,
      })) {
        seen.push(token);
        if (seen.length === 3) controller.abort();
      }
    }, /abort/i);
    assert.equal(seen.length, 3, `delay ${delayMs}`);
  }
});
