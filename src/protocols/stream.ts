/**
 * `protocol="stream"`: the JSON-over-WebSocket protocol of shared/protocols/stream.md,
 * plus what deployed servers of it really send (shared/deployments.md):
 * a `typing` frame before a reply, one-shot `ai-response` replies, an `error`
 * frame ending a stream without `stream-end`, and a refused handshake (HTTP 401,
 * seen by the browser as close 1006 before `open`) for a bad token.
 *
 * Optional extensions, used only with a server that announces them in the
 * `features` array of its `connection` frame (a strict server never does, so it
 * never sees anything it would answer with "Unknown message type"):
 * - `chat` always carries `clientMessageId`; a strict server ignores extra fields,
 *   ours drops a duplicate after a reconnect.
 * - `ack` { clientMessageId, messageId } confirms a stored user message.
 */
import { parseFrame, str, withQuery } from './frames.js';
import type { Capabilities, CloseVerdict, InboundEvent, ProtocolAdapter } from './types.js';

/** The deployed server refuses chat content over this many characters. */
export const STREAM_MAX_CONTENT = 2000;

export function createStreamAdapter(): ProtocolAdapter {
  let features: string[] = [];
  // Replies open on this socket. Deployed servers may end one with an `error`
  // frame instead of `stream-end`, and a token for an id that never started
  // (a stray, or the tail of a reply from before a reconnect) has no place.
  const open = new Set<string>();

  const decode = (data: unknown): InboundEvent[] => {
    const frame = parseFrame(data);
    if (!frame) return [];
    switch (frame.type) {
      case 'connection': {
        features = Array.isArray(frame.features)
          ? frame.features.filter((f): f is string => typeof f === 'string')
          : [];
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
        if (!id) return [];
        if (!open.delete(id)) return [];
        return [{ kind: 'stream-end', id }];
      }
      case 'ai-response': {
        const id = str(frame.messageId);
        const message = str(frame.message);
        if (!id || message === undefined) return [];
        return [{ kind: 'message', message: { id, role: 'assistant', content: message } }];
      }
      case 'human-escalation-response':
        return [{ kind: 'system', text: str(frame.message) ?? '' }];
      case 'error': {
        const aborts = open.size > 0;
        open.clear();
        return [
          {
            kind: 'error',
            code: 'server-error',
            message: str(frame.message) ?? 'The server reported an error.',
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
      default:
        return [];
    }
  };

  const capabilities = (): Capabilities => ({
    escalation: true,
    typing: false,
    acks: features.includes('ack'),
    history: false,
    maxContentLength: STREAM_MAX_CONTENT,
    replySilenceMs: 30_000,
    replySilenceMeans: 'interrupted',
    greets: true,
    expectsReply: true,
  });

  const interpretClose = (code: number, _reason: string, opened: boolean): CloseVerdict => {
    // A browser cannot see the HTTP status of a refused handshake; a close
    // before `open` is the only sign of a rejected token.
    if (!opened) return { action: 'auth' };
    if (code === 1008 || code === 4001) return { action: 'auth' };
    return { action: 'retry' };
  };

  return {
    protocol: 'stream',
    capabilities,
    prepare: () => null,
    socketUrl: (ctx) => withQuery(ctx.server, { token: ctx.token }),
    opened: () => [],
    decode,
    encodeMessage: (text, clientId) => ({
      frame: JSON.stringify({
        type: 'chat',
        content: text,
        timestamp: new Date().toISOString(),
        clientMessageId: clientId,
      }),
    }),
    encodeEscalate: (reason) =>
      JSON.stringify({ type: 'human-escalation', reason, timestamp: new Date().toISOString() }),
    encodePing: () => JSON.stringify({ type: 'ping', timestamp: new Date().toISOString() }),
    encodeTyping: () => null,
    interpretClose,
    reset: () => {
      open.clear();
    },
  };
}
