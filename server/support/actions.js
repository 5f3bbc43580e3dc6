/**
 * What an agent does to a chat, from the console's HTTP actions (agents/api.js): take a waiting
 * one (atomically: of two agents taking it at once, one gets it), write in it, type, hand it back
 * to the bot, close it, transfer it to another agent who is online, sign out (their chats go back
 * to the queue, in the place their visitors had), mark a left message done. While a person holds
 * a chat the bot stays silent; after the hand-back it answers again and sees the person's
 * messages as its own turns (stream/turns.js).
 */
import { MAX_CONTENT_LENGTH, isClientMessageId } from '../platform/limits/messages.js';
import { newMessageId } from '../stream/ids.js';
import { agentRef } from './availability.js';

/**
 * @typedef {import('../stream/store.js').StreamConversation} StreamConversation
 * @typedef {import('../stream/store.js').StreamMessage} StreamMessage
 * @typedef {import('./agents/accounts.js').AgentAccount} AgentAccount
 */

/**
 * @param {object} deps
 * @param {import('../stream/store.js').StreamStore} deps.store
 * @param {import('./store.js').SupportStore} deps.support
 * @param {import('../platform/store.js').RecentIds} deps.seen the console's message ids, so a
 *   retried POST is stored once
 * @param {Pick<import('../stream/service.js').StreamService, 'emit'>} deps.stream
 * @param {import('./consoles.js').Consoles} deps.consoles
 * @param {Pick<import('./inbox.js').Inbox, 'summary'>} deps.inbox
 * @param {import('./handoff.js').Handoff} deps.handoff
 * @param {import('./availability.js').Availability} deps.availability
 * @param {import('../platform/runtime.js').Runtime} deps.runtime
 */
export function createAgentActions({
  store,
  support,
  seen,
  stream,
  consoles,
  inbox,
  handoff,
  availability,
  runtime,
}) {
  const { emit } = stream;

  /** @type {Map<string, Set<string>>} agent id → conversations they are typing in */
  const typingIn = new Map();

  /** @param {string} agentId */
  function stopAgentTyping(agentId) {
    const account = availability.account(agentId);
    for (const conversationId of typingIn.get(agentId) ?? []) {
      if (account) sendAgentTyping(account, conversationId, false);
    }
    typingIn.delete(agentId);
  }

  /** @param {AgentAccount} agent @param {string} conversationId @param {boolean} active */
  function sendAgentTyping(agent, conversationId, active) {
    const set = typingIn.get(agent.id) ?? new Set();
    if (active) set.add(conversationId);
    else set.delete(conversationId);
    if (set.size > 0) typingIn.set(agent.id, set);
    else typingIn.delete(agent.id);
    emit(conversationId, { type: 'agent-typing', active, agent: { name: agent.name } }).catch(
      runtime.logFailure('[agents] could not send typing'),
    );
    consoles.toWatchers(conversationId, { type: 'typing', who: agent.name, active }, agent.id);
  }

  /**
   * @typedef {{ status: 'ok', conversation: Record<string, unknown> }
   *   | { status: 'gone' | 'forbidden' | 'conflict' | 'invalid', detail: string }} ActionResult
   */

  /**
   * Why `agent` may not act on a conversation, or undefined when they hold it.
   * @param {AgentAccount} agent
   * @param {StreamConversation | undefined} conversation
   * @returns {ActionResult | undefined}
   */
  function refusal(agent, conversation) {
    if (!conversation) return { status: 'gone', detail: 'No such conversation' };
    const handoff = conversation.handoff;
    if (handoff?.state !== 'assigned' || handoff.agentId !== agent.id) {
      return { status: 'forbidden', detail: 'You do not hold this chat' };
    }
    return undefined;
  }

  /** @param {AgentAccount} agent @param {string} conversationId @returns {Promise<ActionResult>} */
  async function take(agent, conversationId) {
    const { ok, conversation } = await store.take(conversationId, agent.id, runtime.iso());
    if (!conversation) return { status: 'gone', detail: 'No such conversation' };
    if (!ok) {
      const handoff = conversation.handoff;
      if (handoff?.state === 'assigned' && handoff.agentId === agent.id) {
        return { status: 'ok', conversation: await inbox.summary(conversation) };
      }
      if (handoff?.state === 'assigned') {
        return {
          status: 'conflict',
          detail: `${availability.publicAgent(handoff.agentId).name} has already taken this chat`,
        };
      }
      return { status: 'conflict', detail: 'This chat is not waiting for a person' };
    }
    await handoff.note(conversationId, `${agent.name} took the chat.`, agent);
    await emit(conversationId, {
      type: 'handoff',
      state: 'assigned',
      agent: availability.publicAgent(agent.id),
    });
    await handoff.queueMoved();
    await handoff.conversationChanged(conversation);
    return { status: 'ok', conversation: await inbox.summary(conversation) };
  }

  /**
   * @param {AgentAccount} agent
   * @param {string} conversationId
   * @param {unknown} content
   * @param {unknown} clientMessageId the console's id, so a retried POST is stored once
   * @returns {Promise<ActionResult | { status: 'ok', message: StreamMessage, delivered: boolean }>}
   */
  async function agentMessage(agent, conversationId, content, clientMessageId) {
    const key = isClientMessageId(clientMessageId)
      ? `agent:${agent.id}\n${clientMessageId}`
      : undefined;
    // Independent reads at once: one wait for the store instead of three in a row, which under
    // load was most of the time between the POST and the visitor seeing the message.
    const [conversation, earlier, attached] = await Promise.all([
      store.getConversation(conversationId),
      key === undefined ? undefined : seen.get(key),
      store.attachedVisitors(conversationId),
    ]);
    const refused = refusal(agent, conversation);
    if (refused) return refused;
    if (typeof content !== 'string' || content.trim() === '') {
      return { status: 'invalid', detail: 'Message content is required' };
    }
    if (content.length > MAX_CONTENT_LENGTH) {
      return {
        status: 'invalid',
        detail: `Message too long (maximum ${MAX_CONTENT_LENGTH} characters)`,
      };
    }
    if (earlier) return { status: 'ok', message: earlier, delivered: Boolean(earlier.deliveredAt) };

    const timestamp = runtime.iso();
    /** @type {StreamMessage} */
    const message = {
      messageId: newMessageId(),
      role: 'agent',
      content,
      timestamp,
      agent: agentRef(agent),
      ...(key !== undefined ? { clientMessageId: /** @type {string} */ (clientMessageId) } : {}),
    };
    const delivered = attached > 0;
    if (delivered) message.deliveredAt = timestamp;
    if (typingIn.get(agent.id)?.has(conversationId)) sendAgentTyping(agent, conversationId, false);
    await emit(
      conversationId,
      {
        type: 'agent-message',
        messageId: message.messageId,
        content,
        agent: availability.publicAgent(agent.id),
      },
      { message },
    );
    // Remembered once stored, as visitors' messages are: a POST that failed before the message
    // was stored is stored when it is tried again, and the visitor does not wait for this.
    if (key !== undefined) await seen.set(key, message);
    consoles.toWatchers(conversationId, { type: 'message', message: { ...message } });
    consoles.inboxChanged();
    return { status: 'ok', message, delivered };
  }

  /**
   * @param {AgentAccount} agent
   * @param {string} conversationId
   * @param {boolean} active
   * @returns {Promise<ActionResult | { status: 'ok' }>}
   */
  async function agentTyping(agent, conversationId, active) {
    const refused = refusal(agent, await store.getConversation(conversationId));
    if (refused) return refused;
    sendAgentTyping(agent, conversationId, active);
    return { status: 'ok' };
  }

  /**
   * Hand-back (the bot answers again) or close (the same, and the chat leaves the inbox until
   * the visitor writes again). The visitor hears `handoff ended` either way.
   * @param {AgentAccount} agent
   * @param {string} conversationId
   * @param {boolean} close
   * @returns {Promise<ActionResult>}
   */
  async function release(agent, conversationId, close) {
    const { ok, conversation } = await store.release(conversationId, agent.id, {
      close,
      time: runtime.iso(),
    });
    if (!ok) return /** @type {ActionResult} */ (refusal(agent, conversation));
    if (typingIn.get(agent.id)?.has(conversationId)) sendAgentTyping(agent, conversationId, false);
    await handoff.note(
      conversationId,
      close
        ? `${agent.name} closed the chat.`
        : `${agent.name} handed the chat back to the assistant.`,
      agent,
    );
    await emit(conversationId, { type: 'handoff', state: 'ended' });
    await handoff.conversationChanged(conversation);
    return {
      status: 'ok',
      conversation: await inbox.summary(/** @type {StreamConversation} */ (conversation)),
    };
  }

  /**
   * @param {AgentAccount} agent
   * @param {string} conversationId
   * @param {unknown} toAgentId
   * @returns {Promise<ActionResult>}
   */
  async function transfer(agent, conversationId, toAgentId) {
    const conversation = await store.getConversation(conversationId);
    const refused = refusal(agent, conversation);
    if (refused) return refused;
    const target = typeof toAgentId === 'string' ? availability.account(toAgentId) : undefined;
    if (!target) return { status: 'invalid', detail: 'No such agent' };
    if (target.id === agent.id) return { status: 'invalid', detail: 'You already hold this chat' };
    if (!(await availability.isOnline(target.id))) {
      return { status: 'conflict', detail: `${target.name} is not online` };
    }

    const result = await store.transfer(conversationId, agent.id, target.id, runtime.iso());
    if (!result.ok) return /** @type {ActionResult} */ (refusal(agent, result.conversation));
    if (typingIn.get(agent.id)?.has(conversationId)) sendAgentTyping(agent, conversationId, false);
    await handoff.note(
      conversationId,
      `${agent.name} transferred the chat to ${target.name}.`,
      agent,
    );
    await emit(conversationId, {
      type: 'handoff',
      state: 'assigned',
      agent: availability.publicAgent(target.id),
    });
    await handoff.conversationChanged(result.conversation);
    consoles.toConsoles({
      kind: 'agent',
      agentId: target.id,
      frame: { type: 'transferred', conversationId, from: agent.name },
    });
    return {
      status: 'ok',
      conversation: await inbox.summary(/** @type {StreamConversation} */ (result.conversation)),
    };
  }

  /**
   * Signing out puts the agent's chats back in the queue, in the place their visitors had.
   * @param {AgentAccount} agent
   */
  async function signOut(agent) {
    stopAgentTyping(agent.id);
    for (const conversation of await store.listConversations({ handoff: 'assigned' })) {
      if (conversation.handoff?.agentId !== agent.id) continue;
      const { ok, conversation: requeued } = await store.requeue(conversation.id, agent.id);
      if (!ok) continue;
      await handoff.note(
        conversation.id,
        `${agent.name} signed out; the chat is waiting again.`,
        agent,
      );
      await handoff.conversationChanged(requeued);
    }
    // Someone still holding an old position would otherwise not be told again.
    await handoff.forgetToldPositions();
    await handoff.queueMoved();
    consoles.closeAgent(agent.id);
    consoles.toConsoles({ kind: 'sign-out', agentId: agent.id });
  }

  /** @param {AgentAccount} agent @param {string} id */
  async function resolveLeftMessage(agent, id) {
    const done = await support.resolveLeftMessage(id, agent.id, runtime.iso());
    if (done) consoles.inboxChanged();
    return done;
  }

  return {
    take,
    agentMessage,
    agentTyping,
    /** @param {AgentAccount} agent @param {string} id */
    handBack: (agent, id) => release(agent, id, false),
    /** @param {AgentAccount} agent @param {string} id */
    close: (agent, id) => release(agent, id, true),
    transfer,
    signOut,
    resolveLeftMessage,
    stopAgentTyping,
  };
}

/** @typedef {ReturnType<typeof createAgentActions>} AgentActions */
