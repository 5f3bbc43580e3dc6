/**
 * The agent console's side of the reference server's `/agent/api/` (see server/agents/api.js):
 * the shapes it answers with, and one fetch helper. The session is an HttpOnly cookie the
 * browser sends by itself; the console never sees it.
 */

export interface AgentInfo {
  id: string;
  name: string;
  avatar?: string;
}

export type ChatState = 'queued' | 'assigned' | 'bot' | 'closed';

export interface ChatSummary {
  id: string;
  /** "Visitor 3F2A": visitors are anonymous. */
  visitor: string;
  /** A tab of theirs is open. */
  online: boolean;
  state: ChatState;
  queuedAt?: string;
  position?: number;
  agent?: AgentInfo;
  assignedAt?: string;
  closedAt?: string;
  updatedAt: string;
  lastVisitorMessage?: string;
  lastVisitorMessageAt?: string;
  visitorTyping: boolean;
}

export type Role = 'user' | 'assistant' | 'agent' | 'system';

export interface ConsoleMessage {
  messageId: string;
  role: Role;
  content: string;
  timestamp: string;
  clientMessageId?: string;
  agent?: AgentInfo;
  /** An agent message reached an open window of the visitor. */
  deliveredAt?: string;
  /** A bot reply still arriving. */
  state?: 'streaming';
}

export interface LeftMessage {
  id: string;
  conversationId: string;
  visitor: string;
  email: string;
  message: string;
  createdAt: string;
}

export interface Inbox {
  serverTime: string;
  waiting: ChatSummary[];
  assigned: ChatSummary[];
  bot: ChatSummary[];
  leftMessages: LeftMessage[];
  agents: Array<AgentInfo & { online: boolean }>;
  availability: {
    takingChats: boolean;
    reason?: 'nobody-online' | 'outside-hours';
    hours?: string;
  };
}

export interface ConversationView {
  conversation: ChatSummary;
  messages: ConsoleMessage[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** One JSON call; anything but 2xx becomes an ApiError with the server's `detail`. */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'The server cannot be reached. Check the connection and try again.');
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const detail =
      json && typeof json === 'object' && 'detail' in json && typeof json.detail === 'string'
        ? json.detail
        : `The server answered ${response.status}.`;
    throw new ApiError(response.status, detail);
  }
  return json as T;
}

export const api = {
  me: () => call<{ agent: AgentInfo }>('GET', '/agent/api/session'),
  signIn: (name: string, password: string) =>
    call<{ agent: AgentInfo }>('POST', '/agent/api/session', { name, password }),
  signOut: () => call<void>('DELETE', '/agent/api/session'),
  conversation: (id: string) =>
    call<ConversationView>('GET', `/agent/api/conversations/${encodeURIComponent(id)}`),
  act: (id: string, action: 'take' | 'handback' | 'close', body: object = {}) =>
    call<{ conversation: ChatSummary }>(
      'POST',
      `/agent/api/conversations/${encodeURIComponent(id)}/${action}`,
      body,
    ),
  transfer: (id: string, agent: string) =>
    call<{ conversation: ChatSummary }>(
      'POST',
      `/agent/api/conversations/${encodeURIComponent(id)}/transfer`,
      { agent },
    ),
  send: (id: string, content: string, clientMessageId: string) =>
    call<{ message: ConsoleMessage; delivered: boolean }>(
      'POST',
      `/agent/api/conversations/${encodeURIComponent(id)}/messages`,
      { content, clientMessageId },
    ),
  typing: (id: string, active: boolean) =>
    call<void>('POST', `/agent/api/conversations/${encodeURIComponent(id)}/typing`, { active }),
  resolveLeftMessage: (id: string) =>
    call<void>('POST', `/agent/api/left-messages/${encodeURIComponent(id)}/resolve`, {}),
};
