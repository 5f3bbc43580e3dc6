/**
 * The shapes the `stream` modules pass between them, and the two ports through which the rest
 * of the server joins in without stream/ knowing it: an observer told what happened in a
 * conversation (the agent console listens: support/consoles.js), and the handoff, which answers
 * a visitor who asks for a person (support/handoff.js). Both are given to createStreamService;
 * stream/ imports nothing of support/.
 */

/**
 * One visitor socket, as the protocol layer hands it over.
 * @typedef {object} VisitorSocket
 * @property {(frame: Record<string, unknown>) => void} send adds the timestamp; drops frames
 *   for a socket that is closing
 * @property {boolean} extended it has sent an extension frame
 * @property {string} [id] unique on every process; set by connectVisitor
 * @property {string} [conversationId] set once it is attached to its conversation
 * @property {number} [cursor] the `seq` of the last conversation frame it has been given (or
 *   passed over); frames after it are delivered in order, once
 */

/**
 * What this process has of one conversation: its sockets here and the order they are served in.
 * @typedef {object} Live
 * @property {string} id
 * @property {Set<VisitorSocket>} sockets
 * @property {Promise<void>} chain deliveries, syncs and resumes, one at a time
 * @property {Promise<() => Promise<void>>} subscribed
 * @property {boolean} visitorTyping
 */

/**
 * Told what happens in conversations, for whoever watches them (the agent consoles). Calls
 * return at once; what the observer does with them is its own business and its own failures.
 * @typedef {object} StreamObserver
 * @property {(conversationId: string, message: Record<string, unknown>) => void} message
 *   a message stored, or a reply as it grows (`state: 'streaming'`) and once complete
 * @property {(conversationId: string, messageId: string) => void} replyFailed
 * @property {(conversationId: string, active: boolean) => void} visitorTyping
 * @property {(conversationId: string, messageIds: string[]) => void} delivered agent messages
 *   a window of the visitor's has had
 * @property {() => void} changed something a list of conversations shows (a visitor came or
 *   went, wrote, was answered)
 */

/**
 * The visitor who asked, as the handoff sees them.
 * @typedef {object} VisitorContext
 * @property {string} visitorId the token's `sub`
 * @property {string} conversationId
 * @property {(frame: Record<string, unknown>) => void} send to the asking socket only
 */

/**
 * Answers for a person: the extension frames of the README's `handoff` row.
 * @typedef {object} HandoffPort
 * @property {(visitor: VisitorContext) => Promise<void>} escalate `human-escalation` from a
 *   socket that speaks the extensions
 * @property {(visitor: VisitorContext, email: unknown, message: unknown) => Promise<void>} leaveMessage
 * @property {(conversation: import('./store.js').StreamConversation) => Promise<Record<string, unknown> | null>} forSync
 *   the handoff as a `sync` carries it; the visitor has now been told it
 */

export {};
