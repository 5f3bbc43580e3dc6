/**
 * What the console knows, and every way it changes: one typed reducer, so the element only
 * renders a state and runs effects (calls, the socket, focus), and each change can be tested
 * without a browser page. Texts are kept as catalogue keys (i18n/), shown in the language of
 * the moment.
 */
import type { Text } from './i18n/index.js';
import type { LiveStatus } from './live.js';
import type {
  AgentInfo,
  ChatSummary,
  ConsoleMessage,
  ConversationView,
  Inbox,
  ServerEvent,
} from './model.js';

/** A typing flag the server never turned off (a lost frame) fades after this. */
export const TYPING_TTL_MS = 8000;

/** A message this console sent that the server has not confirmed yet, or refused. */
export interface Outgoing {
  conversationId: string;
  clientMessageId: string;
  content: string;
  timestamp: string;
  state: 'sending' | 'failed';
  error?: Text;
}

export interface State {
  phase: 'loading' | 'signed-out' | 'ready';
  me: AgentInfo | undefined;
  status: LiveStatus;
  inbox: Inbox | undefined;
  /** The waiting chats of the last inbox, to tell new arrivals; unset before the first. */
  knownWaiting: ReadonlySet<string> | undefined;
  selectedId: string | undefined;
  view: ConversationView | undefined;
  outgoing: readonly Outgoing[];
  /** Who is typing in the selected chat (`visitor` or an agent's name), until when. */
  typers: ReadonlyMap<string, number>;
  /** Said once to screen readers (a polite live region). */
  notice: Text | undefined;
  alert: Text | undefined;
  signInError: Text | undefined;
  busy: boolean;
  /** On a narrow screen, which of the two is shown. */
  pane: 'inbox' | 'chat';
  askNotifications: boolean;
  /** The server's clock minus this browser's, for "waiting 4 min". */
  clockOffset: number;
}

export type Action =
  | { type: 'signed-in'; agent: AgentInfo; askNotifications: boolean }
  | { type: 'signed-out'; reason?: Text }
  | { type: 'load-failed'; error: Text }
  | { type: 'sign-in-started' }
  | { type: 'sign-in-failed'; error: Text }
  | { type: 'status'; status: LiveStatus }
  | { type: 'server'; event: ServerEvent; now: number }
  | { type: 'select'; id: string }
  | { type: 'back' }
  | { type: 'view-loaded'; view: ConversationView }
  | { type: 'view-failed'; id: string; error: Text }
  | { type: 'action-started' }
  | { type: 'action-done'; notice?: Text }
  | { type: 'action-failed'; error: Text }
  | { type: 'dismiss-alert' }
  | { type: 'notifications-asked'; granted: boolean }
  | { type: 'outgoing'; outgoing: Outgoing }
  | { type: 'sent'; clientMessageId: string; message: ConsoleMessage }
  | { type: 'not-sent'; clientMessageId: string; error: Text }
  | { type: 'resend'; clientMessageId: string }
  | { type: 'tick'; now: number };

export const initialState: State = {
  phase: 'loading',
  me: undefined,
  status: 'connecting',
  inbox: undefined,
  knownWaiting: undefined,
  selectedId: undefined,
  view: undefined,
  outgoing: [],
  typers: new Map(),
  notice: undefined,
  alert: undefined,
  signInError: undefined,
  busy: false,
  pane: 'inbox',
  askNotifications: false,
  clockOffset: 0,
};

export function reduce(state: State, action: Action): State {
  switch (action.type) {
    case 'signed-in':
      return {
        ...state,
        phase: 'ready',
        me: action.agent,
        alert: undefined,
        askNotifications: action.askNotifications,
      };
    case 'signed-out':
      return {
        ...state,
        phase: 'signed-out',
        me: undefined,
        inbox: undefined,
        view: undefined,
        selectedId: undefined,
        knownWaiting: undefined,
        outgoing: [],
        busy: false,
        signInError: action.reason,
      };
    case 'load-failed':
      return { ...state, alert: action.error };
    case 'sign-in-started':
      return { ...state, busy: true, signInError: undefined };
    case 'sign-in-failed':
      return { ...state, busy: false, signInError: action.error };
    case 'status':
      return { ...state, status: action.status };
    case 'server':
      return onServer(state, action.event, action.now);
    case 'select':
      if (action.id === state.selectedId) return { ...state, pane: 'chat' };
      return {
        ...state,
        selectedId: action.id,
        view: undefined,
        typers: new Map(),
        alert: undefined,
        pane: 'chat',
      };
    case 'back':
      return { ...state, pane: 'inbox' };
    case 'view-loaded':
      // Only what the socket has not brought already.
      if (action.view.conversation.id !== state.selectedId || state.view) return state;
      return { ...state, view: action.view };
    case 'view-failed':
      return action.id === state.selectedId ? { ...state, alert: action.error } : state;
    case 'action-started':
      return { ...state, busy: true, alert: undefined };
    case 'action-done':
      return { ...state, busy: false, ...(action.notice ? { notice: action.notice } : {}) };
    case 'action-failed':
      return { ...state, busy: false, alert: action.error };
    case 'dismiss-alert':
      return { ...state, alert: undefined };
    case 'notifications-asked':
      return {
        ...state,
        askNotifications: false,
        notice: { key: action.granted ? 'notificationsOn' : 'notificationsOff' },
      };
    case 'outgoing':
      return { ...state, outgoing: [...state.outgoing, action.outgoing] };
    case 'sent': {
      const outgoing = state.outgoing.find((o) => o.clientMessageId === action.clientMessageId);
      const shown = outgoing?.conversationId === state.selectedId;
      const next = shown ? upsert(state, action.message) : state;
      return {
        ...next,
        outgoing: next.outgoing.filter((o) => o.clientMessageId !== action.clientMessageId),
      };
    }
    case 'not-sent':
      return {
        ...state,
        outgoing: state.outgoing.map((o) =>
          o.clientMessageId === action.clientMessageId
            ? { ...o, state: 'failed', error: action.error }
            : o,
        ),
      };
    case 'resend':
      return {
        ...state,
        outgoing: state.outgoing.map((o) => {
          if (o.clientMessageId !== action.clientMessageId) return o;
          const again: Outgoing = { ...o, state: 'sending' };
          delete again.error;
          return again;
        }),
      };
    case 'tick': {
      const typers = new Map([...state.typers].filter(([, until]) => until > action.now));
      return typers.size === state.typers.size ? state : { ...state, typers };
    }
  }
}

function onServer(state: State, event: ServerEvent, now: number): State {
  const forSelected =
    'conversationId' in event && event.conversationId === state.selectedId && !!state.view;
  switch (event.type) {
    case 'ready':
      return { ...state, me: event.agent, clockOffset: offsetOf(event.serverTime, now, state) };
    case 'inbox': {
      const { inbox } = event;
      const last = arrivals(state, inbox).at(-1);
      return {
        ...state,
        inbox,
        knownWaiting: new Set(inbox.waiting.map((c) => c.id)),
        clockOffset: offsetOf(inbox.serverTime, now, state),
        ...(last ? { notice: { key: 'isWaiting', values: { visitor: last.visitor } } } : {}),
      };
    }
    case 'conversation': {
      const { view } = event;
      if (view.conversation.id !== state.selectedId) return state;
      return {
        ...state,
        view,
        outgoing: state.outgoing.filter(
          (o) => !view.messages.some((m) => m.clientMessageId === o.clientMessageId),
        ),
      };
    }
    case 'conversation-gone':
      if (event.conversationId !== state.selectedId) return state;
      return { ...state, view: undefined, alert: { key: 'chatGone' } };
    case 'conversation-state':
      if (!forSelected || !state.view) return state;
      return { ...state, view: { ...state.view, conversation: event.conversation } };
    case 'message':
      return forSelected ? upsert(state, event.message) : state;
    case 'reply-failed':
      if (!forSelected || !state.view) return state;
      return {
        ...state,
        view: {
          ...state.view,
          messages: state.view.messages.map((m) =>
            m.messageId === event.messageId ? cutOff(m) : m,
          ),
        },
      };
    case 'typing': {
      if (event.conversationId !== state.selectedId) return state;
      const typers = new Map(state.typers);
      if (event.active) typers.set(event.who, now + TYPING_TTL_MS);
      else typers.delete(event.who);
      return { ...state, typers };
    }
    case 'delivered': {
      if (!forSelected || !state.view) return state;
      const ids = new Set(event.messageIds);
      const at = new Date(now).toISOString();
      return {
        ...state,
        view: {
          ...state.view,
          messages: state.view.messages.map((m) =>
            ids.has(m.messageId) && !m.deliveredAt ? { ...m, deliveredAt: at } : m,
          ),
        },
      };
    }
    case 'transferred': {
      const visitor = summaryOf(state, event.conversationId)?.visitor;
      return {
        ...state,
        notice: visitor
          ? { key: 'passedToYou', values: { from: event.from, visitor } }
          : { key: 'passedToYouUnknown', values: { from: event.from } },
      };
    }
  }
}

/** A message new or changed: a reply growing, an agent's message confirmed. */
function upsert(state: State, message: ConsoleMessage): State {
  if (!state.view) return state;
  const messages = [...state.view.messages];
  const at = messages.findIndex((m) => m.messageId === message.messageId);
  if (at === -1) {
    messages.push(message);
  } else {
    const merged: ConsoleMessage = { ...messages[at], ...message };
    // A reply that was streaming and now is not.
    if (message.state === undefined) delete merged.state;
    messages[at] = merged;
  }
  // Whoever just wrote has stopped typing.
  const author = message.role === 'user' ? 'visitor' : message.agent?.name;
  let typers = state.typers;
  if (author && typers.has(author)) {
    const left = new Map(typers);
    left.delete(author);
    typers = left;
  }
  return {
    ...state,
    view: { ...state.view, messages },
    typers,
    outgoing: message.clientMessageId
      ? state.outgoing.filter((o) => o.clientMessageId !== message.clientMessageId)
      : state.outgoing,
  };
}

/** A reply cut off: no longer streaming, and marked so by a trailing ellipsis. */
function cutOff(message: ConsoleMessage): ConsoleMessage {
  const cut: ConsoleMessage = { ...message, content: `${message.content} …` };
  delete cut.state;
  return cut;
}

function offsetOf(serverTime: string | undefined, now: number, state: State): number {
  const time = serverTime === undefined ? NaN : Date.parse(serverTime);
  return Number.isNaN(time) ? state.clockOffset : time - now;
}

/** The inbox's summary of a chat, wherever it is listed. */
export function summaryOf(state: State, id: string): ChatSummary | undefined {
  const inbox = state.inbox;
  if (!inbox) return undefined;
  return [...inbox.waiting, ...inbox.assigned, ...inbox.bot].find((c) => c.id === id);
}

/** Waiting chats in `inbox` that the state has not seen before (none on the first inbox). */
export function arrivals(state: State, inbox: Inbox): ChatSummary[] {
  const known = state.knownWaiting;
  return known ? inbox.waiting.filter((c) => !known.has(c.id)) : [];
}
