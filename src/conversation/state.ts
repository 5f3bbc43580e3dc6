/**
 * Everything the widget shows about one conversation, as plain data (no DOM, no timers, no
 * sockets). The inbound reducer and the controller change it; the element renders it.
 */
import type { ChatMessage, Role } from '../types.js';
import { Transcript } from '../transcript/transcript.js';
import { HandoffState } from './handoff.js';
import type { Notice } from './notice.js';
import { TypingState } from './typing.js';

/** The error banner: the visitor's words, with the backend's own detail kept for the page. */
export interface BannerError {
  code: string;
  /** What the visitor reads, in their language. */
  message: string;
  /** The backend's own words (`chat-error` detail, `console.debug`), never shown. */
  detail?: string;
}

export interface ConversationState {
  transcript: Transcript;
  typing: TypingState;
  handoff: HandoffState;
  /** Replies a backend started that have no text yet: "typing…" until their first words. */
  opening: Map<string, { role?: Role; author?: { name: string; avatar?: string } }>;
  /** When the last part of a reply arrived (ms): a reply silent too long is finalized. */
  lastReplyPartAt: number;
  /** The visitor message whose reply is owed and has not begun, and since when. */
  owed: { id: string; since: number } | undefined;
  /** The message showing "No answer yet", kept so that a late reply clears it without a search. */
  unanswered: ChatMessage | undefined;
  /** A reply is owed or streaming (one-reply-at-a-time backends take nothing more meanwhile). */
  replyInFlight: boolean;
  /** The server is replaying the conversation; it is settled once this time passes. */
  replayUntil: number;
  /** How many are in the conversation, where the backend says. */
  presence: number | undefined;
  error: BannerError | undefined;
  /** A note under the composer. */
  notice: Notice | undefined;
}

export function createState(transcript = new Transcript()): ConversationState {
  return {
    transcript,
    typing: new TypingState(),
    handoff: new HandoffState(),
    opening: new Map(),
    lastReplyPartAt: 0,
    owed: undefined,
    // A reload keeps the note: the one message it may be on is found once, here.
    unanswered: transcript.messages.findLast((m) => m.note === 'no-answer'),
    replyInFlight: false,
    replayUntil: 0,
    presence: undefined,
    error: undefined,
    notice: undefined,
  };
}
