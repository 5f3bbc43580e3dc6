/**
 * The inbound reducer: one protocol event (or the passing of time) applied to the
 * conversation state, returning the effects the controller must carry out (events for the
 * page, outbox moves, connection actions). No DOM, no timers, no sockets: tested as data.
 */
import type { HandoffDetail } from '../events.js';
import type { Strings } from '../i18n/en.js';
import { format } from '../i18n/format.js';
import type { Capabilities, InboundEvent } from '../protocols/types.js';
import type { ChatMessage } from '../types.js';
import type { BannerError, ConversationState } from './state.js';
import { visitorMessage } from './visitor-errors.js';

/** After the last replayed item, this long without another means the replay is over. */
export const REPLAY_SETTLE_MS = 600;
/** How long a new socket waits for a replay's first item before resending what may be stored. */
export const REPLAY_WAIT_MS = 1000;
/** Without a reply-timeout attribute, a reply that has not begun after this long is "No answer yet". */
export const DEFAULT_REPLY_TIMEOUT_MS = 60_000;

export interface Env {
  now: number;
  capabilities: Capabilities;
  strings: Strings;
  /** A chat id from storage that the backend no longer knows can be replaced by a new chat. */
  canRecoverStaleChat: boolean;
  replyTimeoutMs: number;
}

export type Effect =
  /** The server greeted (or no greeting is expected any more): queued messages may go. */
  | { kind: 'ready'; conversationId?: string }
  /** A message reached its final form: tell the page, keep it for reloads. */
  | { kind: 'completed'; message: ChatMessage }
  /** The backend has the visitor's message. */
  | { kind: 'confirmed'; message: ChatMessage }
  /** The visitor's message will not be taken: failed, its text kept for Retry. */
  | { kind: 'failed'; message: ChatMessage; reason: string; detail?: string }
  /** The backend refused the visitor's message for now: it goes again after a pause. */
  | { kind: 'refused'; message: ChatMessage; detail: string }
  /** Something went wrong; the banner shows it. `fatal`: the connection must stop. */
  | { kind: 'error'; error: BannerError; fatal: boolean }
  /** Told to `console.debug` only (expected failures, the backend's detail). */
  | { kind: 'debug'; message: string }
  /** The stored chat is gone on the backend: start a new one. */
  | { kind: 'stale-chat' }
  | { kind: 'handoff'; detail: HandoffDetail }
  | { kind: 'reconnect-now' }
  /** The reply in flight is over (ended, failed, timed out): the outbox may move. */
  | { kind: 'reply-finished' }
  /** Streamed text grew: render on the next frame rather than now. */
  | { kind: 'stream' }
  | { kind: 'persist' };

/** Apply one protocol event. */
export function reduce(state: ConversationState, event: InboundEvent, env: Env): Effect[] {
  const { transcript } = state;
  switch (event.kind) {
    case 'ready':
      return [
        {
          kind: 'ready',
          ...(event.conversationId ? { conversationId: event.conversationId } : {}),
        },
      ];
    case 'ack': {
      const message = event.clientId ? transcript.find(event.clientId) : undefined;
      if (!message || message.role !== 'user') return [];
      transcript.alias(message, event.id);
      return [...progress(state), ...confirm(message)];
    }
    case 'typing':
      if (event.who) state.typing.person(event.who.name, event.active, env.now);
      else state.typing.awaitingReply = event.active;
      return [];
    case 'message': {
      if (event.message.author) state.typing.person(event.message.author.name, false, env.now);
      const wasSending = transcript.find(event.message.clientId ?? event.message.id);
      const sending = wasSending?.role === 'user' && wasSending.state === 'sending';
      const effects: Effect[] = [];
      if (event.message.role !== 'user') {
        state.typing.awaitingReply = false;
        effects.push(...replyBegan(state), ...replyFinished(state));
      }
      const message = transcript.receive(event.message, env.now);
      // Our own message, echoed by the server: that is its acknowledgement.
      if (sending && wasSending.state === 'sent') {
        wasSending.state = 'sending';
        effects.push(...confirm(wasSending));
      } else if (message) {
        effects.push({ kind: 'completed', message });
      }
      return effects;
    }
    case 'stream-start': {
      state.lastReplyPartAt = env.now;
      if (transcript.find(event.id)) return [];
      state.opening.set(event.id, {
        ...(event.role ? { role: event.role } : {}),
        ...(event.author ? { author: event.author } : {}),
      });
      // Until its first text a reply is "typing…", not an empty bubble beside it.
      if ((event.role ?? 'assistant') === 'assistant') {
        state.typing.awaitingReply = true;
        state.replyInFlight = true;
      }
      return replyBegan(state);
    }
    case 'stream-delta': {
      open(state, event.id);
      if (!transcript.append(event.id, event.delta, event.role)) return [];
      state.lastReplyPartAt = env.now;
      state.typing.awaitingReply = false;
      if (event.role !== 'user') state.replyInFlight = true;
      return [...replyBegan(state), { kind: 'stream' }];
    }
    case 'stream-end': {
      if (event.content !== undefined) open(state, event.id);
      state.opening.delete(event.id);
      const message = transcript.end(event.id, event.content, event.finalId);
      if (message && event.interrupted) message.note = 'interrupted';
      state.typing.awaitingReply = false;
      return [
        ...replyBegan(state),
        ...progress(state),
        ...(message ? [{ kind: 'completed', message } as const] : []),
        ...replyFinished(state),
      ];
    }
    case 'update':
      return transcript.update(event.id, event.content) ? [{ kind: 'persist' }] : [];
    case 'delete':
      return transcript.remove(event.id) ? [{ kind: 'persist' }] : [];
    case 'membership':
    case 'system': {
      const text =
        event.kind === 'system'
          ? event.text
          : format(env.strings, event.joined ? 'personJoined' : 'personLeft', { name: event.name });
      const id = event.kind === 'system' ? event.id : undefined;
      if (!text || (id && transcript.find(id))) return [];
      return [{ kind: 'completed', message: systemLine(state, text, env.now, id) }];
    }
    case 'error':
      return onError(state, event, env);
    case 'auth-refused':
      // The connection handles it (a new token, then an error); nothing to show yet.
      return [];
    case 'presence':
      state.presence = event.online;
      return [];
    case 'handoff': {
      const next = state.handoff.apply(event);
      if (!next) return [];
      const effects: Effect[] = [];
      if (next.state === 'assigned') {
        // A person holds the chat: the bot owes nothing, and says nothing.
        state.typing.awaitingReply = false;
        state.owed = undefined;
        effects.push(...replyFinished(state));
      }
      if (next.state === 'ended') {
        const text = next.agent
          ? format(env.strings, 'handoffEnded', { name: next.agent.name })
          : env.strings.handoffEndedNoName;
        effects.push({ kind: 'completed', message: systemLine(state, text, env.now) });
      }
      return [...effects, { kind: 'handoff', detail: next }];
    }
    case 'left-message':
      state.handoff.leftMessage = true;
      return [];
    case 'refused': {
      const message = transcript.find(event.clientId);
      if (!message || message.role !== 'user') return [];
      // A message the server stored but could not answer (nobody was connected) is named again
      // after a resume: it goes back to the outbox, and the server answers the resend.
      if (message.state === 'sent') message.state = 'sending';
      if (message.state !== 'sending') return [];
      if (event.permanent) {
        return [
          { kind: 'failed', message, reason: env.strings.reasonRefused, detail: event.message },
        ];
      }
      return [{ kind: 'refused', message, detail: event.message }];
    }
    case 'replay': {
      if (event.first) transcript.beginReplay();
      state.replayUntil = env.now + REPLAY_SETTLE_MS;
      const placed = transcript.replay(event.message, env.now);
      if (!placed) return [];
      const { message } = placed;
      // Unsent in the tab, stored on the server: the replay is its acknowledgement.
      if (placed.acknowledged) return [{ kind: 'confirmed', message }];
      if (message.role !== 'user') state.typing.awaitingReply = false;
      return placed.isNew ? [{ kind: 'completed', message }] : [{ kind: 'persist' }];
    }
    case 'cursor':
    case 'pong':
      // The adapter resumes from the cursor after a drop; a pong only proves the link alive.
      return [];
    case 'reconnect':
      return [{ kind: 'reconnect-now' }];
    case 'conversation-reset':
      // What the tab shows stays; the visitor learns why the server may not know it any more.
      return [
        {
          kind: 'completed',
          message: systemLine(state, env.strings.conversationRestarted, env.now),
        },
      ];
  }
}

/** Apply the passing of time: lapsed typing, silent replies, replies that never began. */
export function tick(state: ConversationState, env: Env): { effects: Effect[]; changed: boolean } {
  const { now, capabilities } = env;
  const effects: Effect[] = [];
  let changed = state.typing.lapse(now);
  if (state.transcript.streaming.length > 0 || state.opening.size > 0) {
    if (now - state.lastReplyPartAt >= capabilities.replySilenceMs) {
      // A reply that never said anything leaves nothing to keep, only the dots to stop.
      if (state.opening.size > 0) state.typing.awaitingReply = false;
      state.opening.clear();
      const note = capabilities.replySilenceMeans === 'interrupted' ? 'interrupted' : null;
      for (const message of state.transcript.interruptStreaming(note)) {
        effects.push({ kind: 'completed', message });
      }
      effects.push(...replyFinished(state));
      changed = true;
    }
  }
  const owed = state.owed;
  if (owed && now - owed.since >= env.replyTimeoutMs) {
    state.owed = undefined;
    state.typing.awaitingReply = false;
    const message = state.transcript.find(owed.id);
    if (message && message.role === 'user' && message.state !== 'failed') {
      message.note = 'no-answer';
      state.unanswered = message;
      effects.push({ kind: 'persist' });
    }
    effects.push(...replyFinished(state));
    changed = true;
  }
  return { effects, changed: changed || effects.length > 0 };
}

/** The reply owed for `id`, written at `now`, is awaited (typing dots, the no-answer clock). */
export function awaitReply(state: ConversationState, id: string, now: number): void {
  state.typing.awaitingReply = true;
  state.replyInFlight = true;
  state.owed = { id, since: now };
}

/** The socket is gone: replies that cannot continue on another are finished now. */
export function socketClosed(state: ConversationState, capabilities: Capabilities): Effect[] {
  state.typing.clear();
  state.opening.clear();
  state.replayUntil = 0;
  const effects: Effect[] = [];
  // A server that resumes continues the reply on the next socket; any other reply will never
  // get its end, so it is finished now and marked.
  if (!capabilities.resumes) {
    for (const message of state.transcript.interruptStreaming()) {
      effects.push({ kind: 'completed', message });
    }
  }
  // The owed reply will not come on a new socket either, except where the server resumes; the
  // message is sent again where it was never confirmed.
  if (!capabilities.resumes) state.owed = undefined;
  state.replyInFlight = false;
  return effects;
}

function onError(
  state: ConversationState,
  event: Extract<InboundEvent, { kind: 'error' }>,
  env: Env,
): Effect[] {
  state.typing.awaitingReply = false;
  const effects: Effect[] = [];
  if (event.abortsStream) {
    state.opening.clear();
    for (const message of state.transcript.interruptStreaming()) {
      effects.push({ kind: 'completed', message });
    }
  }
  const debug: Effect = { kind: 'debug', message: `${event.code}: ${event.message}` };
  // A forgotten chat from storage is replaced without bothering the visitor.
  if (event.fatal && event.code === 'CHAT_NOT_FOUND' && env.canRecoverStaleChat) {
    return [...effects, debug, { kind: 'stale-chat' }];
  }
  // A new thread the server does not know yet: its history request fails, and that is all.
  if (event.code === 'history' && !state.transcript.messages.some((m) => m.state !== 'sending')) {
    return [...effects, debug];
  }
  // Without acknowledgements, an error right after a send and before any of its reply is that
  // message's refusal (too long for the server, empty, the model down before it began).
  const owed = state.owed ? state.transcript.find(state.owed.id) : undefined;
  if (!env.capabilities.acks && !event.abortsStream && owed?.role === 'user') {
    state.owed = undefined;
    return [
      ...effects,
      { kind: 'failed', message: owed, reason: env.strings.reasonRefused, detail: event.message },
      ...replyFinished(state),
    ];
  }
  const duringReply =
    event.abortsStream === true || state.owed !== undefined || state.replyInFlight;
  const error: BannerError = {
    code: event.code,
    message: visitorMessage(event.code, env.strings, duringReply),
    detail: event.message,
  };
  state.error = error;
  state.owed = undefined;
  return [
    ...effects,
    { kind: 'error', error, fatal: event.fatal === true },
    ...replyFinished(state),
  ];
}

/** Something of a reply arrived: it is no longer owed, and a "No answer yet" note is moot. */
function replyBegan(state: ConversationState): Effect[] {
  state.owed = undefined;
  const unanswered = state.unanswered;
  if (!unanswered) return [];
  state.unanswered = undefined;
  if (unanswered.note !== 'no-answer') return [];
  delete unanswered.note;
  return [{ kind: 'persist' }];
}

/** The reply in flight is over; the outbox may send the next message. */
function replyFinished(state: ConversationState): Effect[] {
  state.replyInFlight = false;
  return [{ kind: 'reply-finished' }];
}

/** The conversation works again: an error from before it is no longer news. */
function progress(state: ConversationState): Effect[] {
  if (state.error && !STICKY_ERRORS.has(state.error.code)) state.error = undefined;
  return [];
}

/** Errors that stay until the page or the visitor acts: progress does not clear them. */
const STICKY_ERRORS = new Set(['config']);

function confirm(message: ChatMessage): Effect[] {
  if (message.state !== 'sending') return [];
  message.state = 'sent';
  return [{ kind: 'confirmed', message }];
}

/** Show a reply announced by `stream-start` now that it has something to show. */
function open(state: ConversationState, id: string): void {
  const opening = state.opening.get(id);
  if (!opening) return;
  state.opening.delete(id);
  state.transcript.reply(id, opening.role, opening.author);
}

function systemLine(state: ConversationState, text: string, now: number, id?: string): ChatMessage {
  return state.transcript.push({
    id: id ?? crypto.randomUUID(),
    role: 'system',
    content: text,
    state: 'complete',
    createdAt: now,
  });
}
