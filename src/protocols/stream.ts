/**
 * `protocol="stream"`: the JSON-over-WebSocket protocol of shared/protocols/stream.md,
 * plus what deployed servers of it really send (shared/deployments.md):
 * a `typing` frame before a reply, one-shot `ai-response` replies, an `error`
 * frame ending a stream without `stream-end`, and a refused handshake (HTTP 401,
 * seen by the browser as close 1006 before `open`) for a bad token.
 *
 * Extensions (the README's protocol section lists every frame). The server
 * announces what it speaks in the `features` array of `connection`; a frame of
 * an extension goes out only to a server that announced it, so a strict server
 * never answers one with "Unknown message type". `chat` always carries
 * `clientMessageId`: a strict server ignores extra fields, ours drops a
 * duplicate after a reconnect.
 */
import type { Author, HandoffState, Role } from '../types.js';
import {
  contentId,
  isPermanentRefusal,
  namesAuthentication,
  obj,
  parseFrame,
  str,
  time,
  withQuery,
} from './frames.js';
import type {
  Capabilities,
  CloseVerdict,
  InboundEvent,
  ProtocolAdapter,
  WireMessage,
} from './types.js';

/** The deployed server refuses chat content over this many characters. */
export const STREAM_MAX_CONTENT = 2000;

const HANDOFF_STATES: readonly HandoffState[] = ['queued', 'assigned', 'ended', 'unavailable'];
const ROLES: readonly Role[] = ['user', 'assistant', 'agent', 'system'];

function readAgent(value: unknown): Author | undefined {
  const agent = obj(value);
  const name = str(agent?.name);
  if (!name) return undefined;
  const avatar = str(agent?.avatar);
  return { name, ...(avatar ? { avatar } : {}) };
}

/** Closes that say the sign-in was refused on an open socket. */
const AUTH_CLOSES = new Set([1008, 4001, 4003]);

/** What a fresh stream adapter can do, before the server announces any extension. */
export const STREAM_CAPABILITIES: Capabilities = Object.freeze({
  escalation: true,
  typing: false,
  acks: false,
  history: false,
  maxContentLength: STREAM_MAX_CONTENT,
  replySilenceMs: 30_000,
  replySilenceMeans: 'interrupted',
  // The document's servers greet with `connection`; its authors' own example server does not,
  // so queued messages go a moment after `open` without it.
  greets: true,
  expectsReply: true,
  resumes: false,
  retries: false,
});

export function createStreamAdapter(): ProtocolAdapter {
  let features: string[] = [];
  /** What this server can do: recomputed on each greeting (capabilitiesOf), read on every frame. */
  let capabilities: Capabilities = STREAM_CAPABILITIES;
  // The last conversation frame seen (`resume` feature). Kept across reconnects:
  // it is what the next socket resumes from.
  let lastSeq: number | undefined;
  // Replies open on this socket. Deployed servers may end one with an `error`
  // frame instead of `stream-end`, and a token for an id that never started
  // (a stray, or the tail of a reply from before a reconnect) has no place.
  let open = new Set<string>();
  // Replies open when the last socket closed: a server that resumes continues them.
  let carried = new Set<string>();
  const has = (feature: string) => features.includes(feature);

  const handoff = (frame: Record<string, unknown>): InboundEvent[] => {
    const state = frame.state as HandoffState;
    if (!HANDOFF_STATES.includes(state)) return [];
    const agent = readAgent(frame.agent);
    const position = typeof frame.position === 'number' ? frame.position : undefined;
    const reason = str(frame.reason);
    return [
      {
        kind: 'handoff',
        state,
        ...(agent ? { agent } : {}),
        ...(position !== undefined ? { position } : {}),
        ...(reason ? { reason } : {}),
      },
    ];
  };

  /** The conversation as the server keeps it: every tab and reconnect agrees on it. */
  const sync = (frame: Record<string, unknown>): InboundEvent[] => {
    const events: InboundEvent[] = [];
    const items = Array.isArray(frame.messages) ? frame.messages : [];
    for (const item of items) {
      const m = obj(item);
      const id = str(m?.messageId);
      const role = m?.role as Role;
      const content = str(m?.content);
      if (!m || !id || !ROLES.includes(role) || content === undefined) continue;
      const clientId = str(m.clientMessageId);
      const author = readAgent(m.agent);
      const createdAt = time(m.timestamp);
      if (m.state === 'streaming' && role === 'assistant') {
        open.add(id);
        events.push({ kind: 'stream-start', id, role });
        if (content) events.push({ kind: 'stream-delta', id, delta: content, role });
        continue;
      }
      // Our own message, stored: that is its acknowledgement.
      if (role === 'user' && clientId) events.push({ kind: 'ack', clientId, id });
      const message: WireMessage = {
        id,
        role,
        content,
        ...(clientId ? { clientId } : {}),
        ...(author ? { author } : {}),
        ...(createdAt !== undefined ? { createdAt } : {}),
        ...(m.interrupted === true ? { interrupted: true } : {}),
      };
      events.push({ kind: 'message', message });
    }
    const state = obj(frame.handoff);
    if (state) events.push(...handoff(state));
    return events;
  };

  const decode = (data: unknown): InboundEvent[] => {
    const frame = parseFrame(data);
    if (!frame) return [];
    const seq =
      typeof frame.seq === 'number' && Number.isSafeInteger(frame.seq) ? frame.seq : undefined;
    if (seq === undefined) return read(frame);
    // A frame replayed by a resume that this tab already has: drop it, so each counts once.
    if (lastSeq !== undefined && seq <= lastSeq && frame.type !== 'sync') return [];
    const events = read(frame);
    // A sync is the server's whole truth, position included: after a server lost its log
    // (a restart without Redis) it counts from 1 again, and the old position must go.
    lastSeq = frame.type === 'sync' || lastSeq === undefined ? seq : Math.max(lastSeq, seq);
    return [...events, { kind: 'cursor', seq: lastSeq }];
  };

  const read = (frame: Record<string, unknown>): InboundEvent[] => {
    switch (frame.type) {
      case 'connection': {
        features = Array.isArray(frame.features)
          ? frame.features.filter((f): f is string => typeof f === 'string')
          : [];
        capabilities = capabilitiesOf();
        if (has('resume')) open = new Set([...carried, ...open]);
        carried = new Set();
        return [{ kind: 'ready', features }];
      }
      case 'typing':
        return [{ kind: 'typing', active: true, role: 'assistant' }];
      case 'stream-start': {
        const id = str(frame.messageId);
        if (!id) return [];
        open.add(id);
        return [{ kind: 'stream-start', id, role: 'assistant' }];
      }
      case 'stream-token': {
        const id = str(frame.messageId);
        const token = str(frame.token);
        if (!id || token === undefined || !open.has(id)) return [];
        return [{ kind: 'stream-delta', id, delta: token, role: 'assistant' }];
      }
      case 'stream-end': {
        const id = str(frame.messageId);
        if (!id || !open.delete(id)) return [];
        return [
          { kind: 'stream-end', id, ...(frame.interrupted === true ? { interrupted: true } : {}) },
        ];
      }
      case 'ai-response': {
        const id = str(frame.messageId);
        const message = str(frame.message);
        if (!id || message === undefined) return [];
        return [{ kind: 'message', message: { id, role: 'assistant', content: message } }];
      }
      // Not in the document: the protocol authors' example server greets with one instead of
      // `connection`. Its id comes from its text, so a welcome repeated on every connect shows once.
      case 'message': {
        const content = str(frame.content);
        if (!content) return [];
        const id = contentId('stream-message', content);
        return [{ kind: 'message', message: { id, role: 'assistant', content } }];
      }
      case 'human-escalation-response':
        // A server that speaks `handoff` follows this with the state itself, which the banner
        // words in the visitor's language: the same news once, not twice.
        if (has('handoff')) return [];
        return [{ kind: 'system', text: str(frame.message) ?? '' }];
      case 'error': {
        // An error about one of our messages (busy, rate-limited, invalid) refuses that
        // message only: replies in flight carry on, and the message goes back to the outbox.
        const refused = str(frame.clientMessageId);
        const text = str(frame.message);
        if (refused) {
          return [
            {
              kind: 'refused',
              clientId: refused,
              message: text ?? 'The server refused this message.',
              ...(isPermanentRefusal(text) ? { permanent: true } : {}),
            },
          ];
        }
        // A server that checks the token after `open` refuses it in words, then closes (1008).
        if (namesAuthentication(text)) return [{ kind: 'auth-refused', message: text ?? '' }];
        const aborts = open.size > 0;
        open.clear();
        return [
          {
            kind: 'error',
            code: 'server-error',
            message: text ?? 'The server reported an error.',
            abortsStream: aborts,
          },
        ];
      }
      case 'ack': {
        const clientId = str(frame.clientMessageId);
        if (!clientId) return [];
        const id = str(frame.messageId);
        return [{ kind: 'ack', clientId, ...(id ? { id } : {}) }];
      }
      case 'pong':
        return [{ kind: 'pong' }];
      // Extension frames: a strict server never sends them, so reading them always is safe.
      case 'sync':
        return sync(frame);
      case 'user-message': {
        const id = str(frame.messageId);
        const content = str(frame.content);
        if (!id || content === undefined) return [];
        const clientId = str(frame.clientMessageId);
        return [
          // A resume replays this tab's own messages too: for one still in the outbox, that is
          // its acknowledgement.
          ...(clientId ? [{ kind: 'ack' as const, clientId, id }] : []),
          {
            kind: 'message',
            message: { id, role: 'user', content, ...(clientId ? { clientId } : {}) },
          },
        ];
      }
      case 'handoff':
        return handoff(frame);
      case 'agent-message': {
        const id = str(frame.messageId);
        const content = str(frame.content);
        const author = readAgent(frame.agent);
        if (!id || content === undefined) return [];
        return [
          {
            kind: 'message',
            message: { id, role: 'agent', content, ...(author ? { author } : {}) },
          },
        ];
      }
      case 'agent-typing': {
        const who = readAgent(frame.agent);
        if (!who) return [];
        return [{ kind: 'typing', active: frame.active === true, who, role: 'agent' }];
      }
      case 'left-message':
        return frame.ok === true ? [{ kind: 'left-message' }] : [];
      case 'reconnect':
        return has('resume') ? [{ kind: 'reconnect' }] : [];
      // The reference server lost the conversation (evicted, expired) and started a fresh one:
      // its frames count from 1 again, so the old position must go.
      case 'conversation-reset':
        lastSeq = undefined;
        return [{ kind: 'conversation-reset' }];
      default:
        return [];
    }
  };

  const capabilitiesOf = (): Capabilities =>
    features.length === 0
      ? STREAM_CAPABILITIES
      : {
          ...STREAM_CAPABILITIES,
          typing: has('typing'),
          acks: has('ack'),
          // The reference server (it announces `ack`) allows 10 messages a second; pace to that.
          ...(has('ack') ? { rateLimitPerSecond: 10 } : {}),
          resumes: has('resume'),
          retries: has('retry'),
        };

  const interpretClose = (code: number, _reason: string, opened: boolean): CloseVerdict => {
    // A browser cannot see the HTTP status of a refused handshake; a close
    // before `open` is the only sign of a rejected token.
    if (!opened) return { action: 'auth' };
    if (AUTH_CLOSES.has(code)) return { action: 'auth' };
    return { action: 'retry' };
  };

  const now = () => new Date().toISOString();

  return {
    protocol: 'stream',
    capabilities: () => capabilities,
    prepare: () => null,
    socketUrl: (ctx) => withQuery(ctx.server, { token: ctx.token }),
    opened: () => [],
    greeted: () => {
      // Resuming from where this tab was gets exactly what it missed; without a
      // position (a new tab), the whole conversation comes with `sync`.
      if (has('resume') && lastSeq !== undefined) {
        return [JSON.stringify({ type: 'resume', lastSeq })];
      }
      return has('sync') ? [JSON.stringify({ type: 'sync' })] : [];
    },
    encodeRetry: (id) =>
      has('retry') ? JSON.stringify({ type: 'retry', messageId: id, timestamp: now() }) : null,
    decode,
    encodeMessage: (text, clientId) => ({
      frame: JSON.stringify({
        type: 'chat',
        content: text,
        timestamp: now(),
        clientMessageId: clientId,
      }),
    }),
    encodeEscalate: (reason) =>
      JSON.stringify({ type: 'human-escalation', reason, timestamp: now() }),
    encodePing: () => JSON.stringify({ type: 'ping', timestamp: now() }),
    encodeTyping: (active) =>
      has('typing') ? JSON.stringify({ type: 'typing', active, timestamp: now() }) : null,
    encodeLeaveMessage: (email, message) =>
      has('handoff')
        ? JSON.stringify({ type: 'leave-message', email, message, timestamp: now() })
        : null,
    interpretClose,
    reset: () => {
      carried = open;
      open = new Set();
      // Features are re-announced by every `connection`; until then assume none,
      // so nothing extended is sent to a server that may have been replaced.
      features = [];
      capabilities = STREAM_CAPABILITIES;
    },
  };
}
