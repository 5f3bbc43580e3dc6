// The benchmark's assistant reply: seeded markdown cut into `count` stream tokens, identical on
// every run and machine, so results compare across commits.
//
// The text mixes what real answers contain (headings, prose with bold, italics, inline code and
// links, bullet and numbered lists, tables, fenced code). Tokens are roughly LLM-sized (a word
// with its leading space, a punctuation run, a newline run), and some boundaries are placed where
// a streaming renderer is most likely to get them wrong: between the two `*` of `**`, inside a
// code fence's three backticks, in the middle of a link's URL, and mid cell of a table row.
// Usage: `generateReply(8000)` → { tokens, text }.
import { seededRandom } from '../test/seeded-random.js';

/** Marks a forced token boundary in generated source; never part of the reply. */
const CUT = '\u0001';

const WORDS = (
  'the a of to and in is that for it on with as this by be are from at or an can was which ' +
  'stream render token server client message reply buffer frame socket latency throughput ' +
  'markdown parser block paragraph list table column value request response cache layout ' +
  'browser widget element component update state event handler queue timer budget memory ' +
  'configure deploy measure compare settle append chunk incremental boundary sanitize ' +
  'connection retry backoff header payload schema version release default option feature'
).split(' ');
const CODE_WORDS = 'const let value result items count index total next done await return'.split(
  ' ',
);
const LANGS = ['ts', 'js', 'python', 'bash', 'json'];
const HOSTS = ['example.com', 'docs.example.org', 'api.example.net'];

function makeWriter(random) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
  const words = (n) => Array.from({ length: n }, () => pick(WORDS)).join(' ');
  const capital = (s) => s[0].toUpperCase() + s.slice(1);

  const url = () => {
    const path = `${pick(WORDS)}/${pick(WORDS)}-${int(1, 99)}`;
    const full = `https://${pick(HOSTS)}/${path}`;
    // Split the destination somewhere in its middle.
    const at = int(10, full.length - 3);
    return full.slice(0, at) + CUT + full.slice(at);
  };

  // One inline span: plain words most of the time, otherwise an emphasis, code or link.
  const span = () => {
    const r = random();
    if (r < 0.1) return `**${words(int(1, 3))}**`;
    if (r < 0.14) return `*${CUT}*${words(int(1, 3))}*${CUT}*`; // bold with `**` split in two
    if (r < 0.2) return `*${words(int(1, 3))}*`;
    if (r < 0.24) return `\`${pick(CODE_WORDS)}()\``;
    if (r < 0.29) return `[${words(int(1, 3))}](${url()})`;
    return words(int(2, 7));
  };
  const sentence = () => {
    const parts = Array.from({ length: int(2, 4) }, span);
    return capital(parts.join(' ')) + pick(['.', '.', '.', '!', '?', ':', '.']);
  };
  const paragraph = () => Array.from({ length: int(3, 6) }, sentence).join(' ') + '\n\n';

  const heading = () => `${'#'.repeat(int(2, 3))} ${capital(words(int(2, 5)))}\n\n`;
  const bullets = () =>
    Array.from({ length: int(3, 6) }, () => `- ${capital(span())} ${words(int(2, 6))}\n`).join('') +
    '\n';
  const numbered = () =>
    Array.from({ length: int(3, 6) }, (_, i) => `${i + 1}. ${capital(words(int(3, 8)))}\n`).join(
      '',
    ) + '\n';

  const table = () => {
    const cols = int(3, 4);
    const row = (cells) => `| ${cells.join(' | ')} |\n`;
    const cell = () => (random() < 0.3 ? `**${pick(WORDS)}**` : words(int(1, 3)));
    let out = row(Array.from({ length: cols }, () => capital(pick(WORDS))));
    out += row(Array.from({ length: cols }, () => '---'));
    for (let r = int(3, 6); r > 0; r--) {
      let line = row(Array.from({ length: cols }, cell));
      // Cut one row mid cell: inside a word of its second cell.
      if (r % 2 === 1) {
        const second = line.indexOf('|', 2) + 3;
        line = line.slice(0, second) + CUT + line.slice(second);
      }
      out += line;
    }
    return out + '\n';
  };

  const code = () => {
    const lang = pick(LANGS);
    const lines = Array.from({ length: int(4, 10) }, () => {
      const indent = '  '.repeat(int(0, 2));
      return `${indent}${pick(['const', 'let'])} ${pick(CODE_WORDS)} = ${pick(CODE_WORDS)}(${int(0, 9)}, '${pick(WORDS)}'); // ${words(int(1, 4))}`;
    });
    // Both fences are split inside their backticks.
    return `\`\`${CUT}\`${lang}\n${lines.join('\n')}\n\`${CUT}\`\`\n\n`;
  };

  const quote = () => `> ${sentence()} ${sentence()}\n\n`;

  // A fixed rhythm with random content: every ~1,000 tokens has each kind of block, so the
  // 2,000-token reply is not easier per token than the 8,000-token one.
  const cycle = [
    heading,
    paragraph,
    paragraph,
    bullets,
    paragraph,
    code,
    numbered,
    paragraph,
    table,
    paragraph,
    quote,
    code,
    paragraph,
  ];
  return { cycle, words, capital, int };
}

// A GPT-like split: newline runs, a word with its leading blank, a number, a punctuation run.
// Words over 8 letters become two tokens, as subword tokenizers do.
const PIECE = /\n+|[ \t]*[A-Za-z]+|[ \t]*\d{1,3}|[ \t]*[^\sA-Za-z\d]+|[ \t]+/g;

export function tokenize(source) {
  const tokens = [];
  for (const segment of source.split(CUT)) {
    for (const [piece] of segment.matchAll(PIECE)) {
      const letters = /^([ \t]*)([A-Za-z]{9,})$/.exec(piece);
      if (letters) {
        const cut = letters[1].length + Math.ceil(letters[2].length / 2);
        tokens.push(piece.slice(0, cut), piece.slice(cut));
      } else {
        tokens.push(piece);
      }
    }
  }
  return tokens;
}

/** `count` tokens of markdown; the same count and seed always give the same tokens. */
export function generateReply(count, seed = 4) {
  const random = seededRandom(seed);
  const { cycle, words, capital, int } = makeWriter(random);
  const tokens = [];
  // Leave room for a closing paragraph so the reply ends on a whole block, never mid-fence.
  const reserve = 40;
  for (let i = 0; ; i++) {
    const block = tokenize(cycle[i % cycle.length]());
    if (tokens.length + block.length > count - reserve) break;
    tokens.push(...block);
  }
  let closing = [];
  while (closing.length < count - tokens.length) {
    closing = tokenize(capital(words(int(count - tokens.length, count - tokens.length + 8))));
  }
  closing = closing.slice(0, count - tokens.length - 1);
  tokens.push(...closing, '.');
  return { tokens, text: tokens.join('') };
}
