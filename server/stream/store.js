/**
 * What the `stream` endpoint keeps, on every process: one conversation per visitor (every tab
 * and reconnect of theirs reads and writes it), its transcript, its handoff state, the log of
 * its frames (what makes `resume` exact), the reply in progress, the questions waiting for the
 * bot with the lease of the process answering them, and the visitor sockets open anywhere.
 * store.memory.js and store.redis.js implement it; test/server/stores/stream.suite.js is its
 * contract.
 *
 * Every method is async and hands out copies, so a shared store (Redis, a database) can take
 * the memory one's place for several processes.
 *
 * The handoff state is a field of the conversation rather than support/'s own: a `sync` must read
 * it in the same step as the transcript and the `seq` they stand at, and a visitor's message
 * reopens a closed chat in the same step as it is stored. support/ decides the moves; this store
 * makes them atomic. The methods that decide who gets a chat (`enqueue`, `take`, `transfer`,
 * `release`, `requeue`, `dequeue`) are compare-and-set: each checks the state it expects and
 * changes it in one step, so two agents taking the same chat at once cannot both win. A shared
 * implementation must keep them atomic (a Lua script or WATCH/MULTI in Redis, a conditional
 * UPDATE in SQL).
 */

/**
 * @typedef {'user' | 'assistant' | 'agent' | 'system'} StreamRole
 *   `system` lines are notes for the console ("Maya took the chat"); visitors never get them
 * @typedef {{ id: string, name: string, avatar?: string }} AgentRef
 * @typedef {object} StreamMessage
 * @property {string} messageId
 * @property {StreamRole} role
 * @property {string} content
 * @property {string} timestamp ISO time it was stored
 * @property {string} [clientMessageId] the visitor's id for their message
 * @property {AgentRef} [agent] who wrote an `agent` message, or whom a `system` note is about
 * @property {string} [deliveredAt] an `agent` message: when a visitor's window first had it
 * @property {boolean} [unanswered] a `user` message whose reply failed or was abandoned; the
 *   bot does not see it again, as the deployed server forgets a turn that failed
 * @property {boolean} [interrupted] an `assistant` reply cut off because the process producing
 *   it died; its text is what the visitor was shown
 * @property {string} [replyTo] an `assistant` reply: the question it answers (for `retry`)
 */

/**
 * @typedef {object} Handoff
 * @property {'queued' | 'assigned'} state
 * @property {string} queuedAt ISO time the visitor asked; the queue is in this order
 * @property {string} [agentId] who holds the chat (`assigned`)
 * @property {string} [assignedAt]
 */

/**
 * @typedef {object} StreamConversation
 * @property {string} id random, not the visitor id, so the console never learns the cookie value
 * @property {string} visitorId the token subject it belongs to
 * @property {string} createdAt
 * @property {string} updatedAt last message or handoff change
 * @property {Handoff | null} handoff
 * @property {string} [closedAt] set when an agent closes it, cleared by the visitor's next message
 * @property {string} [lastVisitorMessage] the visitor's latest message, for the inbox
 * @property {string} [lastVisitorMessageAt]
 * @property {number} messageCount
 */

/**
 * @typedef {{ ok: boolean, conversation: StreamConversation | undefined }} HandoffResult
 *   `ok` false: the conversation was not in the expected state (or is gone); `conversation` is
 *   how it stands now either way
 */

/**
 * @typedef {object} StreamStore
 * @property {(visitorId: string) => Promise<StreamConversation>} conversationOf
 *   the visitor's conversation, created on first use
 * @property {(id: string) => Promise<StreamConversation | undefined>} getConversation
 * @property {(filter?: { handoff?: 'none' | 'queued' | 'assigned', limit?: number, includeClosed?: boolean }) => Promise<StreamConversation[]>} listConversations
 *   most recently updated first; `none` lists conversations with at least one message
 * @property {(id: string, message: StreamMessage) => Promise<boolean>} appendMessage
 *   false when the conversation is gone
 * @property {(id: string, options?: { limit?: number }) => Promise<StreamMessage[] | undefined>} listMessages
 *   oldest first; `limit` keeps the newest
 * @property {(id: string, messageId: string, changes: { unanswered?: boolean }) => Promise<boolean>} updateMessage
 *   false when there is no such message
 * @property {(id: string, time: string) => Promise<string[]>} markDelivered
 *   marks every undelivered agent message delivered; their ids
 * @property {(id: string, time: string) => Promise<HandoffResult>} enqueue
 *   no handoff → queued
 * @property {(id: string) => Promise<HandoffResult>} dequeue queued → none
 * @property {(id: string, agentId: string, time: string) => Promise<HandoffResult>} take
 *   queued → assigned to `agentId`
 * @property {(id: string, fromAgentId: string, toAgentId: string, time: string) => Promise<HandoffResult>} transfer
 *   assigned to `fromAgentId` → assigned to `toAgentId`
 * @property {(id: string, agentId: string, options: { close: boolean, time: string }) => Promise<HandoffResult>} release
 *   assigned to `agentId` → none (and closed, when `close`)
 * @property {(id: string, agentId: string) => Promise<HandoffResult>} requeue
 *   assigned to `agentId` → queued, keeping its place from when the visitor asked
 * @property {() => Promise<string[]>} queue conversation ids waiting, first in line first
 *
 * The conversation's frame log, what makes `resume` exact on any process:
 * @property {(id: string, frame: Record<string, unknown>, options?: PublishOptions) => Promise<number | undefined>} publish
 *   in one atomic step: applies `message` / `reply`, gives the frame the conversation's next
 *   `seq`, keeps it in the log and hands it to every subscriber of the conversation (on every
 *   process). undefined, and nothing changed, when the conversation is gone or a `reply` step
 *   does not match the reply in progress (it was taken over)
 * @property {(id: string) => Promise<number>} lastSeq 0 for a conversation with no frame yet
 * @property {(id: string, seq: number) => Promise<{ frames: LoggedFrame[], complete: boolean }>} framesAfter
 *   the frames after `seq`, oldest first; `complete` false when some of them are no longer kept
 *   (or `seq` is from the future: the store lost them), and then a client needs a `sync`
 * @property {(id: string) => Promise<Snapshot | undefined>} snapshot
 *   the conversation, its transcript, the reply in progress and the `seq` they stand at, read
 *   atomically: the frames after that `seq` are exactly what the snapshot does not show
 * @property {(id: string, listener: (entry: LoggedFrame) => void) => Promise<() => Promise<void>>} subscribe
 *   frames published from now on, in `seq` order (gaps are possible when the connection to a
 *   shared store drops: the caller fills them from `framesAfter`); resolves once subscribed
 * @property {(listener: () => void) => () => void} onResubscribed a shared store's subscriber
 *   reconnected: frames published meanwhile may have been missed
 *
 * Replies: questions waiting for the bot are jobs of the conversation; one process at a time
 * (the worker, holding a lease it renews) answers them, and another takes over a lease that ran
 * out, because the process holding it died.
 * @property {(id: string, questionId: string, max: number) => Promise<boolean>} addJob
 *   false when `max` questions are already waiting
 * @property {(id: string) => Promise<string[]>} jobs question ids, first to answer first
 * @property {(id: string, questionId: string) => Promise<boolean>} removeJob
 * @property {(id: string) => Promise<string[]>} clearJobs the question ids removed
 * @property {(id: string, owner: string, leaseMs: number) => Promise<boolean>} claimWorker
 *   true when `owner` holds the lease now: it was free, ran out, or was already theirs (renewed)
 * @property {(id: string, owner: string) => Promise<boolean>} releaseWorker
 * @property {(id: string, owner: string) => Promise<boolean>} expireWorker
 *   ends the lease at once (a process shutting down): another process takes over
 * @property {(now: number) => Promise<string[]>} expiredWorkers conversations whose lease ran out
 * @property {(id: string, socketId: string, ttlMs: number) => Promise<void>} attachVisitor
 *   a visitor socket (on any process) is open; renewed before `ttlMs` runs out
 * @property {(id: string, socketId: string) => Promise<void>} detachVisitor
 * @property {(id: string) => Promise<number>} attachedVisitors sockets open on every process
 */

/**
 * @typedef {object} PublishOptions
 * @property {StreamMessage} [message] stored with the frame
 * @property {ReplyStep} [reply] the reply in progress moves with the frame
 * @property {string} [except] a socket id that must not get the frame (its sender)
 * @property {string} [to] a socket id that gets it even when it speaks no extension (the asker)
 *
 * @typedef {{ op: 'start', messageId: string, questionId: string, timestamp: string }
 *   | { op: 'token', messageId: string, token: string }
 *   | { op: 'end', messageId: string, interrupted?: boolean }
 *   | { op: 'abort', messageId: string }} ReplyStep
 *   `end` stores the reply's text as an `assistant` message (with `interrupted` and `replyTo`);
 *   `abort` forgets it (the bot failed, or nobody is left to read it)
 *
 * @typedef {{ messageId: string, questionId: string, text: string, timestamp: string }} ReplyState
 * @typedef {{ seq: number, frame: Record<string, unknown>, except?: string, to?: string }} LoggedFrame
 * @typedef {{ conversation: StreamConversation, messages: StreamMessage[], reply: ReplyState | null, seq: number }} Snapshot
 */

/**
 * Bounds, so a demo left running cannot be filled up:
 * - conversations idle for `idleTtlMs` are forgotten, and past `maxConversations` (memory only)
 *   the least recently used go first; conversations in a handoff are passed over while others
 *   remain, and none used within `activeProtectMs` goes (the cap is soft while all are active);
 * - a conversation keeps its last `maxMessagesPerConversation` messages and
 *   `maxFramesPerConversation` frames.
 */
export const STREAM_LIMITS = Object.freeze({
  idleTtlMs: 24 * 60 * 60_000,
  maxConversations: 10_000,
  maxMessagesPerConversation: 500,
  maxFramesPerConversation: 5000,
  activeProtectMs: 5 * 60_000,
});
