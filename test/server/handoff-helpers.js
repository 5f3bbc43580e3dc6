// Shared by the handoff, agent and conversation tests: an app with agents, agents that sign in
// like a browser (one cookie jar each) and watch the console socket, and visitors whose sockets
// speak the extensions (they send `sync` first, as the widget does).
import assert from 'node:assert/strict';
import { hashPassword } from '../../server/support/agents/passwords.js';
import { ChatClient, socketUrl, startApp, Visitor } from './helpers.js';

export const PASSWORD = 'a long enough password';

// scrypt takes a while on purpose; every test shares one hash.
const passwordHash = await hashPassword(PASSWORD);

export const AGENTS = Object.freeze([
  { id: 'maya', name: 'Maya', passwordHash },
  { id: 'sam', name: 'Sam', avatar: 'https://example.com/sam.png', passwordHash },
  { id: 'lee', name: 'Lee', passwordHash },
]);

/**
 * @param {import('node:test').TestContext} t
 * @param {import('../../server/app.js').AppOptions} [options]
 */
export function startDesk(t, options = {}) {
  return startApp(t, { agents: [...AGENTS], agentOnlineGraceMs: 0, ...options });
}

/** One agent's browser: the session cookie, the JSON API, the console socket. */
export class Agent {
  /** @param {{ url: string }} app @param {string} id */
  constructor(app, id) {
    this.app = app;
    this.id = id;
    /** @type {string | undefined} */
    this.cookie = undefined;
  }

  /** @param {{ url: string }} app @param {string} id */
  static async signedIn(app, id) {
    const agent = new Agent(app, id);
    const res = await agent.request('POST', '/agent/api/session', {
      name: id,
      password: PASSWORD,
    });
    assert.equal(res.status, 200, `${id} signs in`);
    return agent;
  }

  /** Signs in and opens the console socket: the agent is online. */
  /** @param {{ url: string }} app @param {string} id */
  static async online(app, id) {
    const agent = await Agent.signedIn(app, id);
    await agent.connect();
    return agent;
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   * @param {Record<string, string>} [headers]
   */
  async request(method, path, body, headers = {}) {
    const res = await fetch(new URL(path, this.app.url), {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('cw_agent='));
    if (setCookie) {
      const pair = setCookie.split(';')[0] ?? '';
      this.cookie = pair === 'cw_agent=' ? undefined : pair;
    }
    const text = await res.text();
    let json;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, body: json, text, setCookie };
  }

  async connect() {
    this.socket = await ChatClient.open(socketUrl(this.app, '/agent/ws'), {
      headers: this.cookie ? { cookie: this.cookie } : {},
      origin: new URL(this.app.url).origin,
    });
    const ready = await this.socket.next();
    assert.equal(ready.type, 'ready');
    return this.socket;
  }

  /** @returns {ChatClient} */
  get live() {
    if (!this.socket) throw new Error(`${this.id} has no console socket`);
    return this.socket;
  }

  /** The next `inbox` frame on the console socket that satisfies `predicate`. */
  /** @param {(inbox: any) => boolean} [predicate] */
  async inboxWhere(predicate = () => true) {
    const frames = await this.live.readUntil((f) => f.type === 'inbox' && predicate(f.inbox));
    return /** @type {any} */ (frames.at(-1)).inbox;
  }

  /** @param {string} conversationId */
  async watch(conversationId) {
    this.live.send({ type: 'watch', conversationId });
    const frames = await this.live.readUntil(
      (f) => f.type === 'conversation' && f.conversation.id === conversationId,
    );
    return frames.at(-1);
  }

  /** @param {string} id @param {string} action @param {unknown} [body] */
  act(id, action, body = {}) {
    return this.request('POST', `/agent/api/conversations/${id}/${action}`, body);
  }

  /** @param {string} id @param {string} content */
  say(id, content) {
    return this.act(id, 'messages', { content });
  }

  inbox() {
    return this.request('GET', '/agent/api/inbox');
  }
}

/**
 * A visitor's socket as the widget uses it: `connection`, then `sync` sent and answered.
 * @param {Visitor} visitor
 */
export async function extendedSocket(visitor) {
  const { client } = await visitor.connect();
  assert.equal((await client.next()).type, 'connection');
  client.send({ type: 'sync' });
  const sync = await client.readUntil((f) => f.type === 'sync');
  return { client, sync: /** @type {any} */ (sync.at(-1)) };
}

/** A strict stream.md client: `connection` read, nothing extended ever sent. */
/** @param {Visitor} visitor */
export async function strictSocket(visitor) {
  const { client } = await visitor.connect();
  assert.equal((await client.next()).type, 'connection');
  return client;
}

/**
 * Asks for a person and reads up to the `handoff` frame that answers.
 * @param {ChatClient} client
 */
export async function escalate(client) {
  client.send({ type: 'human-escalation', reason: 'Need human assistance' });
  const frames = await client.readUntil((f) => f.type === 'handoff');
  return {
    response: frames.find((f) => f.type === 'human-escalation-response'),
    handoff: frames.at(-1),
  };
}

/** The id of a visitor's conversation, as the console sees it once they are waiting. */
/** @param {Agent} agent */
export async function firstWaiting(agent) {
  const { body } = await agent.inbox();
  const [first] = body.waiting;
  assert.ok(first, 'someone is waiting');
  return first.id;
}

export { Visitor };
