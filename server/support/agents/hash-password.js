#!/usr/bin/env node
// Prints the scrypt hash of an agent's password for AGENT_ACCOUNTS or AGENT_ACCOUNTS_FILE:
//
//   node server/support/agents/hash-password.js            # asks for it (not echoed)
//   printf %s "$PASSWORD" | node server/support/agents/hash-password.js
//
// The password is read from the terminal or stdin, never from the command line, where it
// would end up in the shell's history and in the process list.
import { hashPassword } from './passwords.js';

const MIN_LENGTH = 8;

/** @returns {Promise<string>} */
async function readHidden() {
  const { stdin, stderr } = process;
  stderr.write('Password: ');
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  let value = '';
  try {
    for await (const chunk of stdin) {
      for (const char of /** @type {string} */ (chunk)) {
        if (char === '\r' || char === '\n' || char === '\u0004') return value;
        if (char === '\u0003') {
          stderr.write('\n');
          process.exit(130);
        }
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    }
    return value;
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    stderr.write('\n');
  }
}

async function readPiped() {
  let value = '';
  for await (const chunk of process.stdin) value += chunk;
  return value.replace(/\r?\n$/, '');
}

const password = process.stdin.isTTY ? await readHidden() : await readPiped();
if (password.length < MIN_LENGTH) {
  console.error(`The password needs at least ${MIN_LENGTH} characters.`);
  process.exit(1);
}
console.log(await hashPassword(password));
