/**
 * Everything the server sends, checked before the console believes it: each decoder returns the
 * typed value, or undefined when a field it needs is missing or of the wrong type. Lists keep
 * their good items and drop the rest. Fields read the way the widget reads its own frames
 * (src/protocols/frames.ts).
 */
import { obj, parseFrame, str } from '../../src/protocols/frames.js';
import type {
  AgentInfo,
  ChatState,
  ChatSummary,
  ConsoleMessage,
  ConversationView,
  Inbox,
  LeftMessage,
  Role,
  ServerEvent,
} from './model.js';

const CHAT_STATES: readonly ChatState[] = ['queued', 'assigned', 'bot', 'closed'];
const ROLES: readonly Role[] = ['user', 'assistant', 'agent', 'system'];

function bool(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return (allowed as readonly unknown[]).includes(value) ? (value as T) : undefined;
}

function listOf<T>(value: unknown, item: (value: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map(item).filter((decoded): decoded is T => decoded !== undefined);
}

/** The optional string fields of `record` that are strings, under the same names. */
function optional<K extends string>(
  record: Record<string, unknown>,
  keys: readonly K[],
): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const value = str(record[key]);
    if (value !== undefined) out[key] = value;
  }
  return out;
}

export function decodeAgent(value: unknown): AgentInfo | undefined {
  const record = obj(value);
  const id = str(record?.id);
  const name = str(record?.name);
  if (!record || id === undefined || name === undefined) return undefined;
  return { id, name, ...optional(record, ['avatar']) };
}

export function decodeSummary(value: unknown): ChatSummary | undefined {
  const record = obj(value);
  if (!record) return undefined;
  const id = str(record.id);
  const visitor = str(record.visitor);
  const state = oneOf(record.state, CHAT_STATES);
  const updatedAt = str(record.updatedAt);
  if (id === undefined || visitor === undefined || !state || updatedAt === undefined) {
    return undefined;
  }
  const position = count(record.position);
  const agent = decodeAgent(record.agent);
  return {
    id,
    visitor,
    online: bool(record.online) ?? false,
    state,
    updatedAt,
    visitorTyping: bool(record.visitorTyping) ?? false,
    ...optional(record, [
      'queuedAt',
      'assignedAt',
      'closedAt',
      'lastVisitorMessage',
      'lastVisitorMessageAt',
    ]),
    ...(position !== undefined ? { position } : {}),
    ...(agent ? { agent } : {}),
  };
}

export function decodeMessage(value: unknown): ConsoleMessage | undefined {
  const record = obj(value);
  if (!record) return undefined;
  const messageId = str(record.messageId);
  const role = oneOf(record.role, ROLES);
  const content = str(record.content);
  const timestamp = str(record.timestamp);
  if (messageId === undefined || !role || content === undefined || timestamp === undefined) {
    return undefined;
  }
  const agent = decodeAgent(record.agent);
  return {
    messageId,
    role,
    content,
    timestamp,
    ...optional(record, ['clientMessageId', 'deliveredAt']),
    ...(agent ? { agent } : {}),
    ...(record.state === 'streaming' ? { state: 'streaming' as const } : {}),
  };
}

export function decodeLeftMessage(value: unknown): LeftMessage | undefined {
  const record = obj(value);
  if (!record) return undefined;
  const fields = optional(record, [
    'id',
    'conversationId',
    'visitor',
    'email',
    'message',
    'createdAt',
  ]);
  const { id, conversationId, visitor, email, message, createdAt } = fields;
  if (
    id === undefined ||
    conversationId === undefined ||
    visitor === undefined ||
    email === undefined ||
    message === undefined ||
    createdAt === undefined
  ) {
    return undefined;
  }
  return { id, conversationId, visitor, email, message, createdAt };
}

export function decodeInbox(value: unknown): Inbox | undefined {
  const record = obj(value);
  const availability = obj(record?.availability);
  if (!record || !availability) return undefined;
  const serverTime = str(record.serverTime);
  const waiting = listOf(record.waiting, decodeSummary);
  const assigned = listOf(record.assigned, decodeSummary);
  const bot = listOf(record.bot, decodeSummary);
  const leftMessages = listOf(record.leftMessages, decodeLeftMessage);
  const agents = listOf(record.agents, (item) => {
    const agent = decodeAgent(item);
    return agent && { ...agent, online: bool(obj(item)?.online) ?? false };
  });
  const takingChats = bool(availability.takingChats);
  if (
    serverTime === undefined ||
    !waiting ||
    !assigned ||
    !bot ||
    !leftMessages ||
    !agents ||
    takingChats === undefined
  ) {
    return undefined;
  }
  const reason = oneOf(availability.reason, ['nobody-online', 'outside-hours'] as const);
  return {
    serverTime,
    waiting,
    assigned,
    bot,
    leftMessages,
    agents,
    availability: {
      takingChats,
      ...(reason ? { reason } : {}),
      ...optional(availability, ['hours']),
    },
  };
}

export function decodeView(value: unknown): ConversationView | undefined {
  const record = obj(value);
  const conversation = decodeSummary(record?.conversation);
  const messages = listOf(record?.messages, decodeMessage);
  return conversation && messages ? { conversation, messages } : undefined;
}

/** One text frame of `/agent/ws` as an event, or undefined for anything the console ignores. */
export function decodeFrame(data: unknown): ServerEvent | undefined {
  const frame = parseFrame(data);
  if (!frame) return undefined;
  const conversationId = str(frame.conversationId);
  switch (frame.type) {
    case 'ready': {
      const agent = decodeAgent(frame.agent);
      return agent && { type: 'ready', agent, ...optional(frame, ['serverTime']) };
    }
    case 'inbox': {
      const inbox = decodeInbox(frame.inbox);
      return inbox && { type: 'inbox', inbox };
    }
    case 'conversation': {
      const view = decodeView(frame);
      return view && { type: 'conversation', view };
    }
    case 'conversation-gone':
      return conversationId === undefined
        ? undefined
        : { type: 'conversation-gone', conversationId };
    case 'conversation-state': {
      const conversation = decodeSummary(frame.conversation);
      return conversation && conversationId !== undefined
        ? { type: 'conversation-state', conversationId, conversation }
        : undefined;
    }
    case 'message': {
      const message = decodeMessage(frame.message);
      return message && conversationId !== undefined
        ? { type: 'message', conversationId, message }
        : undefined;
    }
    case 'reply-failed': {
      const messageId = str(frame.messageId);
      return messageId !== undefined && conversationId !== undefined
        ? { type: 'reply-failed', conversationId, messageId }
        : undefined;
    }
    case 'typing': {
      const who = str(frame.who);
      const active = bool(frame.active);
      return who !== undefined && active !== undefined && conversationId !== undefined
        ? { type: 'typing', conversationId, who, active }
        : undefined;
    }
    case 'delivered': {
      const messageIds = listOf(frame.messageIds, str);
      return messageIds && conversationId !== undefined
        ? { type: 'delivered', conversationId, messageIds }
        : undefined;
    }
    case 'transferred': {
      const from = str(frame.from);
      return from !== undefined && conversationId !== undefined
        ? { type: 'transferred', conversationId, from }
        : undefined;
    }
    default:
      // `pong`, and `error` answers to frames this console never sends wrong.
      return undefined;
  }
}
