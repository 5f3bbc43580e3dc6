/**
 * The console's calls to the reference server's `/agent/api/` (server/support/agents/api.js),
 * each answer checked by decode.ts. The session is an HttpOnly cookie the browser sends by
 * itself; the console never sees it.
 */
import { obj } from '../../src/protocols/frames.js';
import { decodeAgent, decodeMessage, decodeSummary, decodeView } from './decode.js';
import type { Text } from './i18n/index.js';
import type { AgentInfo, ChatSummary, ConsoleMessage, ConversationView } from './model.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** What the agent is told: the server's `detail`, or the console's own words. */
    readonly text: Text,
  ) {
    super('raw' in text ? text.raw : text.key);
  }
}

/** One JSON call; anything but 2xx becomes an ApiError with the server's `detail`. */
async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, { key: 'unreachable' });
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const detail = obj(json)?.detail;
    throw new ApiError(
      response.status,
      typeof detail === 'string'
        ? { raw: detail }
        : { key: 'serverAnswered', values: { status: response.status } },
    );
  }
  return json;
}

/** The answer's field, decoded, or an error the agent can read when the server sent nonsense. */
function field<T>(json: unknown, name: string, decode: (value: unknown) => T | undefined): T {
  const value = decode(obj(json)?.[name]);
  if (value === undefined)
    throw new ApiError(200, { key: 'serverAnswered', values: { status: 200 } });
  return value;
}

const conversationPath = (id: string) => `/agent/api/conversations/${encodeURIComponent(id)}`;

export const api = {
  me: async (): Promise<AgentInfo> =>
    field(await call('GET', '/agent/api/session'), 'agent', decodeAgent),
  signIn: async (name: string, password: string): Promise<AgentInfo> =>
    field(await call('POST', '/agent/api/session', { name, password }), 'agent', decodeAgent),
  signOut: async (): Promise<void> => {
    await call('DELETE', '/agent/api/session');
  },
  conversation: async (id: string): Promise<ConversationView> => {
    const view = decodeView(await call('GET', conversationPath(id)));
    if (!view) throw new ApiError(200, { key: 'serverAnswered', values: { status: 200 } });
    return view;
  },
  act: async (id: string, action: 'take' | 'handback' | 'close'): Promise<ChatSummary> =>
    field(
      await call('POST', `${conversationPath(id)}/${action}`, {}),
      'conversation',
      decodeSummary,
    ),
  transfer: async (id: string, agent: string): Promise<ChatSummary> =>
    field(
      await call('POST', `${conversationPath(id)}/transfer`, { agent }),
      'conversation',
      decodeSummary,
    ),
  send: async (id: string, content: string, clientMessageId: string): Promise<ConsoleMessage> =>
    field(
      await call('POST', `${conversationPath(id)}/messages`, { content, clientMessageId }),
      'message',
      decodeMessage,
    ),
  typing: async (id: string, active: boolean): Promise<void> => {
    await call('POST', `${conversationPath(id)}/typing`, { active });
  },
  resolveLeftMessage: async (id: string): Promise<void> => {
    await call('POST', `/agent/api/left-messages/${encodeURIComponent(id)}/resolve`, {});
  },
};
