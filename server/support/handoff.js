/**
 * A visitor asking for a person, and the queue they wait in.
 *
 * A visitor with an extended socket who asks joins the queue when someone can take chats (an
 * agent's console is open, within `AGENT_HOURS`) and is told their position as it changes;
 * otherwise they are told why not, may leave a message for the team, and the bot keeps
 * answering. When the last agent has been gone for the grace period, the visitors waiting are
 * told nobody is available and leave the queue. The handoff state itself is the conversation's,
 * changed compare-and-set in the stream store (stream/store.js says why).
 */
import { MAX_CONTENT_LENGTH } from '../platform/limits/messages.js';
import { newMessageId } from '../stream/ids.js';
import { agentRef } from './availability.js';
import { TEXTS } from './texts.js';

export const MAX_EMAIL_LENGTH = 254;
// Strict on purpose: the address ends up in a `mailto:` link and in an agent's mail client, so
// only what ordinary addresses use: letters, digits and `. _ + -` before the `@` (no leading,
// trailing or doubled dot, at most 64), then host names of letters, digits and inner hyphens,
// with a top-level domain of letters. `?`, `&`, `%`, `#`, quotes, spaces and the rest of what
// RFC 5322 would allow are refused.
const EMAIL =
  /^(?=[^@]{1,64}@)[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** @param {string} address trimmed */
export function isEmailAddress(address) {
  return address.length <= MAX_EMAIL_LENGTH && EMAIL.test(address);
}

/**
 * @typedef {import('../stream/store.js').StreamConversation} StreamConversation
 * @typedef {import('../stream/store.js').StreamMessage} StreamMessage
 * @typedef {import('./agents/accounts.js').AgentAccount} AgentAccount
 */

/**
 * @param {object} deps
 * @param {import('../stream/store.js').StreamStore} deps.store
 * @param {import('./store.js').SupportStore} deps.support
 * @param {Pick<import('../stream/service.js').StreamService, 'emit'>} deps.stream
 * @param {import('./consoles.js').Consoles} deps.consoles
 * @param {Pick<import('./inbox.js').Inbox, 'summary'>} deps.inbox
 * @param {import('./availability.js').Availability} deps.availability
 * @param {import('../platform/runtime.js').Runtime} deps.runtime
 * @param {number} deps.onlineGraceMs
 * @param {{ take(key: string): Promise<{ allowed: boolean }> | { allowed: boolean } }} [deps.leftMessageLimiter] per visitor
 */
export function createHandoff({
  store,
  support,
  stream,
  consoles,
  inbox,
  availability,
  runtime,
  onlineGraceMs,
  leftMessageLimiter,
}) {
  const { emit } = stream;
  const { logFailure } = runtime;
  /** @type {Map<string, number>} the position each waiting visitor was last told */
  const toldPositions = new Map();
  let positionsChain = Promise.resolve();

  /**
   * Stores a note for the console ("Maya took the chat"); visitors never see these.
   * @param {string} conversationId
   * @param {string} content
   * @param {AgentAccount} [agent]
   */
  async function note(conversationId, content, agent) {
    /** @type {StreamMessage} */
    const message = {
      messageId: newMessageId(),
      role: 'system',
      content,
      timestamp: runtime.iso(),
      ...(agent ? { agent: agentRef(agent) } : {}),
    };
    await store.appendMessage(conversationId, message);
    consoles.toWatchers(conversationId, { type: 'message', message: { ...message } });
  }

  /** @param {StreamConversation | undefined} conversation */
  async function conversationChanged(conversation) {
    if (!conversation) return;
    consoles.toWatchers(conversation.id, {
      type: 'conversation-state',
      conversation: await inbox.summary(conversation),
    });
    consoles.inboxChanged();
  }

  /**
   * Tells every waiting visitor whose place changed where they are now. Serialized, so two
   * moves of the queue cannot tell someone an older position last.
   */
  function queueMoved() {
    positionsChain = positionsChain
      .then(async () => {
        const ids = await store.queue();
        for (const id of toldPositions.keys()) {
          if (!ids.includes(id)) toldPositions.delete(id);
        }
        for (const [index, id] of ids.entries()) {
          const position = index + 1;
          if (toldPositions.get(id) === position) continue;
          toldPositions.set(id, position);
          await emit(id, { type: 'handoff', state: 'queued', position });
        }
      })
      .catch(logFailure('[handoff] could not update queue positions'));
    return positionsChain;
  }

  /**
   * The handoff state as the visitor sees it.
   * @param {StreamConversation} conversation
   * @returns {Promise<Record<string, unknown> | null>}
   */
  async function visitorHandoff(conversation) {
    const handoff = conversation.handoff;
    if (!handoff) return null;
    if (handoff.state === 'assigned') {
      return { state: 'assigned', agent: availability.publicAgent(handoff.agentId) };
    }
    const position = (await store.queue()).indexOf(conversation.id) + 1;
    return { state: 'queued', ...(position > 0 ? { position } : {}) };
  }

  /** Once nobody has been online for the grace period, waiting visitors are told so. */
  function checkPresenceLater() {
    runtime.later(async () => {
      try {
        if (runtime.closed || (await availability.anyoneOnline())) return;
        for (const id of await store.queue()) {
          const { ok, conversation } = await store.dequeue(id);
          if (!ok) continue;
          await note(id, 'Nobody was online any more; the visitor left the queue.');
          await emit(id, { type: 'handoff', state: 'unavailable', reason: 'nobody-online' });
          await conversationChanged(conversation);
        }
        await queueMoved();
      } catch (err) {
        logFailure('[handoff] could not empty the queue')(err);
      }
    }, onlineGraceMs + 10);
  }

  /** @type {import('../stream/ports.js').HandoffPort} */
  const port = {
    async forSync(conversation) {
      const state = await visitorHandoff(conversation);
      if (state?.state === 'queued' && typeof state.position === 'number') {
        toldPositions.set(conversation.id, state.position);
      }
      return state;
    },

    async escalate({ conversationId, send }) {
      const conversation = await store.getConversation(conversationId);
      if (!conversation) return;
      if (conversation.handoff) {
        // Asking again changes nothing; the visitor is reminded where they stand.
        const handoff = await visitorHandoff(conversation);
        const text =
          conversation.handoff.state === 'assigned'
            ? TEXTS.alreadyAssigned(availability.publicAgent(conversation.handoff.agentId).name)
            : TEXTS.alreadyQueued;
        send({ type: 'human-escalation-response', message: text });
        send({ type: 'handoff', ...handoff });
        return;
      }

      const reason = await availability.unavailability();
      if (reason) {
        const hours = availability.hours;
        const text =
          reason === 'outside-hours' && hours
            ? TEXTS.outsideHours(hours.label)
            : TEXTS.nobodyOnline;
        await note(
          conversationId,
          `The visitor asked for a person; ${reason === 'outside-hours' ? 'it was outside opening hours' : 'nobody was online'}.`,
        );
        send({ type: 'human-escalation-response', message: text });
        await emit(conversationId, { type: 'handoff', state: 'unavailable', reason });
        return;
      }

      const { ok, conversation: queued } = await store.enqueue(conversationId, runtime.iso());
      if (!ok) {
        // Another tab of theirs asked at the same moment and got there first.
        send({ type: 'human-escalation-response', message: TEXTS.alreadyQueued });
        if (queued) send({ type: 'handoff', ...(await visitorHandoff(queued)) });
        return;
      }
      send({ type: 'human-escalation-response', message: TEXTS.queued });
      await note(conversationId, 'The visitor asked for a person and is waiting.');
      await queueMoved();
      await conversationChanged(queued);
    },

    async leaveMessage({ visitorId, conversationId, send }, email, message) {
      const address = typeof email === 'string' ? email.trim() : '';
      const text = typeof message === 'string' ? message.trim() : '';
      if (!isEmailAddress(address)) {
        send({ type: 'error', message: TEXTS.invalidEmail });
        return;
      }
      if (text === '' || text.length > MAX_CONTENT_LENGTH) {
        send({ type: 'error', message: TEXTS.invalidLeftMessage });
        return;
      }
      if (leftMessageLimiter && !(await leftMessageLimiter.take(visitorId)).allowed) {
        send({ type: 'error', message: TEXTS.tooManyLeftMessages });
        return;
      }
      await support.addLeftMessage({ conversationId, email: address, message: text });
      await note(conversationId, `The visitor left a message for the team (reply to ${address}).`);
      send({ type: 'left-message', ok: true });
      consoles.inboxChanged();
    },
  };

  return {
    port,
    note,
    conversationChanged,
    queueMoved,
    checkPresenceLater,
    /** Everyone waiting is told their place again at the queue's next move. */
    forgetToldPositions: async () => {
      for (const id of await store.queue()) toldPositions.delete(id);
    },
  };
}

/** @typedef {ReturnType<typeof createHandoff>} Handoff */
