/**
 * `protocol="threads"`: the thread WebSocket API of shared/protocols/threads.md, and the
 * frames its deployed server sends instead (shared/deployments.md): id-less `token`
 * deltas that often never end, `tool` steps, and history as `user`/`step` items without
 * ids. A bad token is refused at the handshake, so the browser sees only a close.
 */
import { idOf } from './events-fields.js';
import { contentId, namesAuthentication, parseFrame, str, time, withQuery } from './frames.js';
import type { Capabilities, CloseVerdict, InboundEvent, ProtocolAdapter } from './types.js';
import type { Role } from '../types.js';

/** Closes that say the sign-in was refused on an open socket. */
const AUTH_CLOSES = new Set([1008, 4001, 4003]);

/** Deployed replies often have no end frame; this much silence completes one. */
export const THREADS_REPLY_SILENCE_MS = 4000;
/** How many of this widget's own messages are remembered for matching a history replay. */
const REMEMBERED = 100;

/** A message this tab already shows, as far as matching a replay needs it. */
export interface ShownMessage {
  id: string;
  role: Role;
  content: string;
  state: string;
}

export interface ThreadsAdapter extends ProtocolAdapter {
  /**
   * What this tab showed before a reload, oldest first. Deployed history has no ids,
   * so a new adapter can only match the replay to it by what was said.
   */
  recall(messages: readonly ShownMessage[]): void;
}

/** What a fresh threads adapter can do: data, the same for every server of the protocol. */
export const THREADS_CAPABILITIES: Capabilities = Object.freeze({
  escalation: false,
  typing: false,
  // The documented server acks with `message_received`; the deployed one never does, so the
  // first part of the reply stands for its ack (the adapter emits it).
  acks: true,
  // History is not paged: it is replayed over the socket on every connect.
  history: false,
  replySilenceMs: THREADS_REPLY_SILENCE_MS,
  replySilenceMeans: 'complete',
  greets: false,
  expectsReply: true,
  oneReplyAtATime: true,
  replaysHistory: true,
});

export function createThreadsAdapter(): ThreadsAdapter {
  // Messages written on this socket and not yet acknowledged, oldest first. Only the
  // documented server acks (`message_received`), in order, without our id; for the deployed
  // one the first part of the reply is the sign that the server has the message.
  let pending: string[] = [];
  // Whether this socket has replayed any history yet: its first item starts a replay.
  let replayed = false;
  // The assistant reply being streamed: the documented server's id, or a local one.
  let reply: string | undefined;
  // Documented assistant `message` frames are history until the server has
  // acknowledged one of our messages on this socket; after that they are reply parts.
  let live = false;
  // A user message went out since the reply opened, so the next reply text is a new reply.
  let userSpoke = false;
  let lastPartAt = 0;
  let replies = 0;
  // Deployed history has no ids, so a replay after a reconnect cannot name the messages
  // this widget already shows. What we sent and what streamed in is kept (across
  // reconnects) so replayed items can carry the local id as `clientId`.
  const mine: { user: Map<string, string>; assistant: Map<string, string> } = {
    user: new Map(),
    assistant: new Map(),
  };

  const remember = (role: 'user' | 'assistant', id: string, text: string): void => {
    const map = mine[role];
    map.delete(id);
    map.set(id, text);
    if (map.size > REMEMBERED) map.delete(map.keys().next().value!);
  };

  /** The local id of a message we showed with this text, claimed once. */
  const claimLocal = (role: Role, content: string): string | undefined => {
    if (role !== 'user' && role !== 'assistant') return undefined;
    for (const [id, text] of mine[role]) {
      if (text !== content) continue;
      mine[role].delete(id);
      return id;
    }
    return undefined;
  };

  const closeReply = (): InboundEvent[] => {
    if (!reply) return [];
    const id = reply;
    reply = undefined;
    return [{ kind: 'stream-end', id }];
  };

  /** Reply text for `id`: opens the reply on its first part, closing any other first. */
  const replyPart = (id: string | undefined, delta: string): InboundEvent[] => {
    const events: InboundEvent[] = [];
    const now = Date.now();
    // Documented parts carry the reply's id. Id-less deployed text is a new reply after
    // a user message went out, or after a silence in which the widget has completed
    // the old one (its late text would be dropped, not appended).
    const silent = now - lastPartAt >= THREADS_REPLY_SILENCE_MS;
    const another = id !== undefined ? id !== reply : userSpoke || silent;
    lastPartAt = now;
    if (reply && another) events.push(...closeReply());
    if (!reply) {
      reply = id ?? `threads-reply-${now.toString(36)}-${++replies}`;
      userSpoke = false;
      // A server that never acknowledges is answering our oldest message: it has it.
      const answered = pending.shift();
      if (answered) events.push({ kind: 'ack', clientId: answered });
      events.push({ kind: 'stream-start', id: reply, role: 'assistant' });
    }
    if (delta) {
      remember('assistant', reply, (mine.assistant.get(reply) ?? '') + delta);
      events.push({ kind: 'stream-delta', id: reply, delta, role: 'assistant' });
    }
    return events;
  };

  /** An item of the history the server replays on connect: the server's truth, in its order. */
  const replayItem = (
    id: string,
    role: Role,
    content: string,
    frame: Record<string, unknown>,
    clientId?: string,
  ): InboundEvent[] => {
    const createdAt = time(frame.created_at);
    const message = {
      id,
      role,
      content,
      ...(createdAt ? { createdAt } : {}),
      ...(clientId ? { clientId } : {}),
    };
    const first = !replayed;
    replayed = true;
    return [...closeReply(), { kind: 'replay', message, first }];
  };

  const decode = (data: unknown): InboundEvent[] => {
    const frame = parseFrame(data);
    if (!frame) return [];
    switch (frame.type) {
      case 'message_received': {
        live = true;
        const clientId = pending.shift();
        const id = idOf(frame.id);
        // Acknowledging the next user message is also where the previous reply ended.
        const ack: InboundEvent[] =
          clientId || id
            ? [{ kind: 'ack', ...(clientId ? { clientId } : {}), ...(id ? { id } : {}) }]
            : [];
        return [...closeReply(), ...ack];
      }
      case 'message': {
        const id = idOf(frame.id);
        const content = str(frame.content);
        if (!id || content === undefined) return [];
        const role = roleOf(frame.role);
        if (role === 'assistant' && live) return replyPart(id, content);
        return replayItem(id, role, content, frame, claimLocal(role, content));
      }
      case 'token': {
        if (frame.status === 'end') return closeReply();
        const content = str(frame.content);
        return content === undefined ? [] : replyPart(undefined, content);
      }
      case 'user':
      case 'step': {
        const content = str(frame.content);
        const role = frame.role ?? (frame.type === 'user' ? 'user' : 'assistant');
        // Steps may also carry tool output under other roles; only the conversation is kept.
        if (!content || (role !== 'user' && role !== 'assistant')) return [];
        const id = historyId(role, frame.created_at, content);
        return replayItem(id, role, content, frame, claimLocal(role, content));
      }
      case 'error': {
        const message = str(frame.message) ?? 'The chat server reported an error.';
        if (namesAuthentication(message)) return [{ kind: 'auth-refused', message }];
        // A thread the server does not know yet (a new conversation) answers `history` with
        // an error carrying the database's own detail: nothing the visitor did wrong.
        const code = /\bhistory\b/i.test(message) ? 'history' : 'server-error';
        const aborts = reply !== undefined;
        return [
          ...closeReply(),
          { kind: 'error', code, message, fatal: false, ...(aborts ? { abortsStream: true } : {}) },
        ];
      }
      // `tool` steps (live and in history) are the agent's own workings: their
      // input and output can be large or private, and a line in the middle of a
      // reply would split it, so they are left out of the transcript.
      default:
        return [];
    }
  };

  const interpretClose = (code: number, _reason: string, opened: boolean): CloseVerdict => {
    // A bad token is an HTTP error at the handshake; the browser only sees a close before open.
    if (!opened || AUTH_CLOSES.has(code)) return { action: 'auth' };
    return { action: 'retry' };
  };

  return {
    protocol: 'threads',
    capabilities: () => THREADS_CAPABILITIES,
    prepare: () => null,
    socketUrl: (ctx) => withQuery(ctx.server, { token: ctx.token }),
    opened: (ctx) =>
      ctx.conversationId
        ? [JSON.stringify({ type: 'history', thread_id: ctx.conversationId })]
        : [],
    decode,
    encodeMessage: (text, clientId, ctx) => {
      pending.push(clientId);
      remember('user', clientId, text);
      userSpoke = true;
      return {
        frame: JSON.stringify({
          type: 'message',
          thread_id: ctx.conversationId,
          agent_id: ctx.agentId ?? null,
          content: text,
        }),
      };
    },
    recall: (messages) => {
      for (const message of messages) {
        // A reply cut off before the reload never matches its full replayed text.
        if (message.role === 'assistant' && message.state !== 'complete') continue;
        if (message.role === 'user' || message.role === 'assistant') {
          remember(message.role, message.id, message.content);
        }
      }
    },
    encodeEscalate: () => null,
    encodePing: () => null,
    encodeTyping: () => null,
    interpretClose,
    reset: () => {
      pending = [];
      reply = undefined;
      live = false;
      userSpoke = false;
      replayed = false;
    },
  };
}

function roleOf(value: unknown): Role {
  switch (value) {
    case 'user':
    case 'system':
      return value;
    default:
      return 'assistant';
  }
}

/**
 * Deployed history items have no id. The same item replayed after a reconnect must
 * get the same id so the transcript can drop it as already shown.
 */
export function historyId(role: Role, createdAt: unknown, content: string): string {
  return contentId('threads', role, typeof createdAt === 'string' ? createdAt : '', content);
}
