/**
 * `protocol="rooms"`: the room WebSocket API of shared/protocols/rooms.md. No deployed
 * server implements it (shared/deployments.md), so this follows the document exactly:
 * the socket receives (plus typing and presence), messages are sent with the REST call
 * of the document's own example, and frame types it does not name are ignored.
 */
import { idOf, restUrl } from './events-fields.js';
import { obj, parseFrame, str, time, withQuery } from './frames.js';
import type {
  Capabilities,
  CloseVerdict,
  ConnectContext,
  InboundEvent,
  Outgoing,
  ProtocolAdapter,
} from './types.js';
import type { Role } from '../types.js';

/** Closes the document gives meaning to, beyond the standard ones. */
const CLOSES: Record<number, CloseVerdict> = {
  4001: { action: 'auth', code: 'unauthorized', message: 'Unauthorized: the API key was refused.' },
  4002: { action: 'stop', code: 'room-not-found', message: 'This chat room does not exist.' },
  // Access is granted by the token: one new token may grant it, as for 4001.
  4003: { action: 'auth', code: 'access-denied', message: 'Access to this chat room was denied.' },
  4004: {
    action: 'retry',
    code: 'rate-limited',
    message: 'Too many messages too quickly; reconnecting in a moment.',
  },
  1000: { action: 'stop', code: 'closed', message: 'The chat server ended the connection.' },
};

/** `meta.role` values that mark a person; the document's own example uses `member`. */
const HUMAN_ROLES = new Set(['agent', 'human', 'member']);

interface Pending {
  clientId: string;
  content: string;
}

/** What the rooms adapter can do: data, the same for every server of the protocol. */
export const ROOMS_CAPABILITIES: Capabilities = Object.freeze({
  escalation: false,
  typing: true,
  acks: true,
  history: false,
  // Nothing streams here; the values only matter if a controller asks.
  replySilenceMs: 30_000,
  replySilenceMeans: 'interrupted',
  greets: false,
  // The others in a room may be people; nobody promises an answer.
  expectsReply: false,
});

export function createRoomsAdapter(): ProtocolAdapter {
  // `decode` gets no context, yet must recognise our own messages and typing
  // coming back over the socket; the user id is remembered from the last connect.
  let self: string | undefined;
  // Sent over REST and not yet matched to a server id. The socket echo can
  // overtake the REST answer, so either one may be first to claim an entry.
  const pending: Pending[] = [];
  // Server id → client id of our own messages, so a late echo still acks.
  const own = new Map<string, string>();
  // Who is online, from the last full list; joins and leaves keep it current between
  // lists, so the count moves without asking the server again.
  let online: Set<string> | undefined;

  const remember = (ctx: ConnectContext): void => {
    self = ctx.userId;
  };

  const claim = (content: string): string | undefined => {
    const at = pending.findIndex((p) => p.content === content);
    return pending.splice(at >= 0 ? at : 0, 1)[0]?.clientId;
  };

  const incoming = (data: Record<string, unknown>): InboundEvent[] => {
    const id = idOf(data.id);
    const content = str(data.content);
    if (!id || content === undefined) return [];
    const sender = idOf(data.sender_id);
    if (own.has(id) || (self !== undefined && sender === self)) {
      // Our own message, already in the transcript: confirm it, never repeat it.
      const clientId = own.get(id) ?? claim(content);
      if (clientId) own.set(id, clientId);
      return [{ kind: 'ack', id, content, ...(clientId ? { clientId } : {}) }];
    }
    const name = str(data.sender_name) ?? sender;
    const createdAt = time(data.created_at);
    return [
      {
        kind: 'message',
        message: {
          id,
          role: roleOf(data),
          content,
          ...(name ? { author: { name } } : {}),
          ...(createdAt ? { createdAt } : {}),
        },
      },
    ];
  };

  const decode = (raw: unknown): InboundEvent[] => {
    const frame = parseFrame(raw);
    if (!frame) return [];
    const data = obj(frame.data) ?? {};
    switch (frame.type) {
      case 'message':
        return incoming(data);
      case 'message_updated': {
        const id = idOf(data.id);
        const content = str(data.content);
        return id && content !== undefined ? [{ kind: 'update', id, content }] : [];
      }
      case 'message_deleted': {
        const id = idOf(data.id);
        return id ? [{ kind: 'delete', id }] : [];
      }
      case 'user_joined':
      case 'user_left': {
        const who = idOf(data.user_id);
        // Our own arrival is the connection itself, not news for the transcript.
        if (who !== undefined && who === self) return [];
        const name = str(data.user_name) ?? who;
        if (!name) return [];
        const joined = frame.type === 'user_joined';
        const events: InboundEvent[] = [{ kind: 'membership', name, joined }];
        if (online && who !== undefined && online.has(who) !== joined) {
          if (joined) online.add(who);
          else online.delete(who);
          events.push({ kind: 'presence', online: online.size });
        }
        return events;
      }
      case 'notification': {
        const text = [str(data.title), str(data.content)].filter(Boolean).join(': ');
        const id = idOf(data.id);
        return text ? [{ kind: 'system', text, ...(id ? { id } : {}) }] : [];
      }
      case 'typing': {
        const who = idOf(data.user_id);
        if (who !== undefined && who === self) return [];
        const name = str(data.user_name) ?? who;
        // Without a `who` the widget would read it as the assistant typing.
        return name ? [{ kind: 'typing', active: data.is_typing === true, who: { name } }] : [];
      }
      case 'connection_status':
      // The document shows the request but not its answer; a server may name the
      // answer after the request or after its REST twin (`/online`), same fields.
      case 'get_online_users':
      case 'online_users': {
        const ids = Array.isArray(data.online_users) ? data.online_users.map(idOf) : undefined;
        online = ids?.every((id) => id !== undefined) ? new Set(ids as string[]) : undefined;
        const count = onlineCount(data);
        return count === undefined ? [] : [{ kind: 'presence', online: count }];
      }
      case 'pong':
        return [{ kind: 'pong' }];
      default:
        return [];
    }
  };

  const socketUrl = (ctx: ConnectContext): string => {
    remember(ctx);
    const url = new URL(ctx.server);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/${encodeURIComponent(room(ctx))}`;
    return withQuery(url.toString(), {
      token: ctx.token,
      user_id: ctx.userId,
      user_name: ctx.userName,
    });
  };

  const encodeMessage = (text: string, clientId: string, ctx: ConnectContext): Outgoing => {
    remember(ctx);
    pending.push({ clientId, content: text });
    const path = `/api/v1/rooms/${encodeURIComponent(room(ctx))}/messages/`;
    return {
      http: {
        method: 'POST',
        url: restUrl(ctx.apiBase, path),
        headers: { 'X-API-Key': ctx.token },
        body: {
          sender_id: ctx.userId,
          sender_name: ctx.userName,
          content: text,
          message_type: 'text',
        },
      },
    };
  };

  const readSendResponse = (json: unknown, clientId: string): InboundEvent[] => {
    const at = pending.findIndex((p) => p.clientId === clientId);
    if (at >= 0) pending.splice(at, 1);
    // The document shows `{data, status}` envelopes elsewhere; a bare message is read too.
    const body = obj(json);
    const id = idOf(obj(body?.data)?.id) ?? idOf(body?.id);
    if (id) own.set(id, clientId);
    return [{ kind: 'ack', clientId, ...(id ? { id } : {}) }];
  };

  return {
    protocol: 'rooms',
    capabilities: () => ROOMS_CAPABILITIES,
    prepare: () => null,
    socketUrl,
    opened: (ctx) => {
      remember(ctx);
      return [JSON.stringify({ type: 'get_online_users', data: {} })];
    },
    decode,
    encodeMessage,
    readSendResponse,
    encodeEscalate: () => null,
    encodePing: () => JSON.stringify({ type: 'ping', data: {} }),
    encodeTyping: (active) => JSON.stringify({ type: 'typing', data: { is_typing: active } }),
    interpretClose: (code) => CLOSES[code] ?? { action: 'retry' },
    // Sends are REST calls that outlive any one socket, so their bookkeeping stays;
    // who is online is learned again from the next socket's status.
    reset: () => {
      online = undefined;
    },
  };
}

function room(ctx: ConnectContext): string {
  if (!ctx.conversationId) {
    throw new Error(
      'The rooms protocol needs a room: set conversation-id or return conversation_id.',
    );
  }
  return ctx.conversationId;
}

/**
 * The document gives senders no role. Predictable rule: a sender is the assistant
 * unless its message says otherwise: `meta.role` naming a person makes it `agent`,
 * `message_type: "system"` a system line.
 */
function roleOf(data: Record<string, unknown>): Role {
  if (data.message_type === 'system') return 'system';
  const declared = str(obj(data.meta)?.role);
  return declared && HUMAN_ROLES.has(declared) ? 'agent' : 'assistant';
}

function onlineCount(data: Record<string, unknown>): number | undefined {
  if (typeof data.total_online === 'number') return data.total_online;
  return Array.isArray(data.online_users) ? data.online_users.length : undefined;
}
