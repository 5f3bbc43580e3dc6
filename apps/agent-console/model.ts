/**
 * What the reference server tells the console (server/support/agents/api.js and socket.js), as
 * the console holds it once decode.ts has checked it.
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

/** Something the server said on the live socket, checked (decode.ts). */
export type ServerEvent =
  | { type: 'ready'; agent: AgentInfo; serverTime?: string }
  | { type: 'inbox'; inbox: Inbox }
  | { type: 'conversation'; view: ConversationView }
  | { type: 'conversation-gone'; conversationId: string }
  | { type: 'conversation-state'; conversationId: string; conversation: ChatSummary }
  | { type: 'message'; conversationId: string; message: ConsoleMessage }
  | { type: 'reply-failed'; conversationId: string; messageId: string }
  | { type: 'typing'; conversationId: string; who: string; active: boolean }
  | { type: 'delivered'; conversationId: string; messageIds: string[] }
  | { type: 'transferred'; conversationId: string; from: string };
