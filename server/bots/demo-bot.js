import { setTimeout as sleep } from 'node:timers/promises';

export const DEFAULT_DELAY_MS = 35;

// Long enough to look like a model's sub-word tokens, short enough to cut URLs and long words.
const MAX_TOKEN_CHARS = 12;

const TABLE = `Here's how our three e-bikes compare:

| Model | Range | Weight | Price |
| :--- | ---: | ---: | ---: |
| **Commuter C1** | 60 km | 19 kg | €1,890 |
| **Trail T3** | 85 km | 23 kg | €2,740 |
| **Cargo K2** | 70 km | 31 kg | €3,450 |

Prices include VAT. The *Trail T3* is our best seller; the [full range](https://example.com/bikes) has more details.`;

const CODE = `Embedding this chat takes one script and one element:

\`\`\`html
<script type="module" src="/dist/chat-widget.js"></script>
<chat-widget server="wss://chat.example.com/ws" token-url="/api/chat-token"></chat-widget>
\`\`\`

Your backend answers \`POST /api/chat-token\` with a short-lived token:

\`\`\`js
app.post('/api/chat-token', async (req, res) => {
  const token = await signToken({ sub: req.user.id }, { expiresIn: '5m' });
  res.json({ token, expires_in: 300, user_id: req.user.id });
});
\`\`\`

Inline code such as \`widget.open = true\` works too.`;

const LIST = `Getting a new bike ready takes four steps:

1. **Charge** the battery fully before the first ride.
2. **Check** the tyre pressure:
   - city tyres: 3.5–4.5 bar
   - trail tyres: 1.8–2.2 bar
3. **Pair** the display with the app.
4. Ride!

Bring these to your first service:

- the receipt
- the battery key
- any question ~~you were too shy to ask~~`;

const HTML = `This reply contains markup that a chat window must never run:

<img src="x" onerror="alert('img onerror')"> and <script>alert('script')</script>

A [javascript: link](javascript:alert('link')) and an image from a host that is not allow-listed:

![tracking pixel](https://tracker.example.net/pixel.png)

<b>Plain bold HTML</b> may survive. Everything else above should be inert text, removed, or a plain link.`;

const LONG = `### Why we build e-bikes

We started in a garage with two frames and a borrowed soldering iron. The idea was simple: a bike that makes a 15 km commute feel like 5, without turning it into a motorbike.

### How we test

Every model rides **2,000 km** on our test loop before it ships: cobbles, rain, a steep ramp behind the bakery, and a winter of salted roads. Motors are checked for heat, batteries for how much range they keep after 500 charges.

### What you get

- a frame with a **lifetime** warranty
- two years on the motor and the battery
- a free first service after 300 km
- spare parts for at least ten years

### Where to ride

Most customers ride to work, some carry two children and the week's shopping on a *Cargo K2*, and a few take the *Trail T3* up mountains we would rather not climb ourselves.

### Questions?

Ask away. This reply was long on purpose, so you could watch the window scroll while it streamed.`;

const HUMAN = `To reach a person, press **Talk to a human** in the chat window. When someone from the team has the agent console open, you join the queue and see your place in it; whoever takes your chat sees this whole conversation, and I stay quiet until they hand it back to me. When nobody is around, you can leave a message for them.`;

const HELP = `I'm a demo bot with canned replies. Mention one of these words to see what the chat window can render:

- **table**: a Markdown table
- **code**: fenced code blocks and inline code
- **list**: ordered, unordered and nested lists
- **html**: raw HTML and unsafe links, to see the sanitizer at work
- **long**: a long answer, to watch scrolling while it streams
- **human**: how a hand-off to a person works

The same message always gets the same reply, streamed token by token.`;

const GREETING = `Hi! 👋 I'm the demo bot of **Brightside Bikes**. Type **help** to see what I can show you.`;

/** @type {Array<[RegExp, string]>} */
const CANNED = [
  [/\btables?\b|\bcompare\b|\bpric(e|es|ing)\b/i, TABLE],
  [/\bcode\b|\bsnippets?\b|\bembed\b|\binstall\b/i, CODE],
  [/\blists?\b|\bsteps?\b/i, LIST],
  [/\bhtml\b|\bxss\b|\bsaniti[sz]/i, HTML],
  [/\blong\b|\bstory\b|\bscroll/i, LONG],
  [/\bhuman\b|\bagent\b|\bperson\b/i, HUMAN],
  [/\bhelp\b|\bwhat can you\b/i, HELP],
  [/^\s*(hi|hello|hey|hallo|hola|bonjour)\b/i, GREETING],
];

/**
 * The whole reply the demo bot streams for a conversation; tests compare against it.
 *
 * @param {import('./index.js').Turn[]} history ends with the user's message
 * @returns {string}
 */
export function demoReplyText(history) {
  const message = history.at(-1)?.content ?? '';
  for (const [pattern, reply] of CANNED) {
    if (pattern.test(message)) return reply;
  }
  const turn = history.filter((t) => t.role === 'user').length;
  const quoted = Array.from(message.trim()).slice(0, 200).join('').replace(/^/gm, '> ');
  return `You said:

${quoted}

I'm only a demo bot, so I can't really answer that (it's message ${turn} of this conversation). I can show you a **table**, some **code**, a **list**, sanitized **html** or a **long** reply: mention one of those words, or type **help**.`;
}

/**
 * Cuts text the way a model's stream arrives: word-ish pieces with their leading whitespace,
 * long runs cut further, and every \`**\` or code fence cut after its first character so that
 * clients meet half-finished Markdown at token boundaries. Joining the tokens gives the text back.
 *
 * @param {string} text
 * @returns {string[]}
 */
export function tokenize(text) {
  const tokens = [];
  for (const word of text.match(/\s*\S+|\s+/g) ?? []) {
    const cuts = [...word.matchAll(/\*\*|```/g)].map((m) => /** @type {number} */ (m.index) + 1);
    let from = 0;
    for (const cut of [...cuts, word.length]) {
      if (cut <= from) continue;
      tokens.push(...chunk(word.slice(from, cut)));
      from = cut;
    }
  }
  return tokens;
}

/** @param {string} piece */
function chunk(piece) {
  // By code points, so an emoji is never cut in half.
  const chars = Array.from(piece);
  const out = [];
  for (let i = 0; i < chars.length; i += MAX_TOKEN_CHARS) {
    out.push(chars.slice(i, i + MAX_TOKEN_CHARS).join(''));
  }
  return out;
}

/**
 * @param {{ delayMs?: number }} [options]
 * @returns {import('./index.js').Bot}
 */
export function createDemoBot({ delayMs = DEFAULT_DELAY_MS } = {}) {
  return {
    description: `built-in demo bot (${delayMs} ms per token)`,

    async *reply({ history, signal }) {
      for (const token of tokenize(demoReplyText(history))) {
        if (delayMs > 0) await sleep(delayMs, undefined, { signal });
        else signal.throwIfAborted();
        yield token;
      }
    },
  };
}
