/**
 * One question answered by the bot, as the reply worker of its conversation runs it
 * (replies.js): `typing`, then `stream-start`, `stream-token`… and `stream-end` sharing one
 * `messageId`, each stored with its step of the reply in progress, so another process can end
 * it as interrupted if this one dies. A model failure before the first token is an `error` for
 * the asker only; after it, `Stream error occurred` for everyone, as the deployed server does.
 */
import { newMessageId } from './ids.js';
import { TEXTS } from './texts.js';
import { supportTurns } from './turns.js';

/** How often a reply in progress is shown again to consoles watching it. */
const CONSOLE_STREAM_INTERVAL_MS = 200;

/**
 * @typedef {import('./replies.js').Job} Job
 * @typedef {import('./replies.js').Worker} Worker
 */

/**
 * @param {object} deps
 * @param {import('./store.js').StreamStore} deps.store
 * @param {import('../bots/index.js').Bot} deps.bot
 * @param {import('./delivery.js').Delivery} deps.delivery
 * @param {import('./ports.js').StreamObserver} deps.observer
 * @param {import('../platform/runtime.js').Runtime} deps.runtime
 * @param {(worker: Worker, why: 'lost') => void} deps.stopWorker this process was taken for dead
 * @returns {(conversationId: string, job: Job, worker: Worker) => Promise<void>}
 */
export function createAnswer({ store, bot, delivery, observer, runtime, stopWorker }) {
  const { emit, sendAfter } = delivery;
  const { logFailure } = runtime;

  /**
   * @param {string} conversationId
   * @param {Job} job
   * @param {Worker} worker
   */
  async function answer(conversationId, job, worker) {
    const { signal } = worker.controller;
    // Frames that arrived together with the question are handled first, so a burst of chats
    // gets all its acks (or refusals) before the first reply begins.
    await new Promise((resolve) => setImmediate(resolve));
    if (signal.aborted) return;
    const questionId = job.q;
    const asker = job.s;
    /** @param {boolean} unanswered */
    const settle = (unanswered) =>
      store
        .updateMessage(conversationId, questionId, { unanswered })
        .catch(logFailure('[bot] could not mark a question'));

    const snapshot = await store.snapshot(conversationId);
    if (signal.aborted) return;
    // A person took the chat while this question waited for its turn: theirs to answer.
    if (snapshot?.conversation.handoff?.state === 'assigned') {
      await settle(false);
      return;
    }
    const history = snapshot && supportTurns(snapshot.messages, questionId);
    if (!history) {
      await settle(true);
      return;
    }

    const to = asker ? { to: asker } : {};
    let lastSeq = (await emit(conversationId, { type: 'typing', message: TEXTS.typing }, to)) ?? 0;
    const messageId = newMessageId();
    const timestamp = runtime.iso();
    let started = false;
    let text = '';
    let lastShown = 0;
    /** @param {Record<string, unknown>} frame @param {import('./store.js').ReplyStep} step */
    const step = async (frame, step) => {
      const seq = await emit(conversationId, frame, { ...to, reply: step });
      // Someone else ended this reply: this process was taken for dead.
      if (seq === undefined) stopWorker(worker, 'lost');
      else lastSeq = seq;
    };
    const start = () =>
      step({ type: 'stream-start', messageId }, { op: 'start', messageId, questionId, timestamp });
    try {
      for await (const delta of bot.reply({ history, signal })) {
        if (signal.aborted) break;
        if (typeof delta !== 'string' || delta === '') continue;
        // Sent lazily, so a model that fails before its first token produces only an `error`,
        // as the deployed server does.
        if (!started) {
          started = true;
          await start();
          if (signal.aborted) break;
        }
        text += delta;
        await step(
          { type: 'stream-token', messageId, token: delta },
          { op: 'token', messageId, token: delta },
        );
        if (runtime.now() - lastShown >= CONSOLE_STREAM_INTERVAL_MS) {
          lastShown = runtime.now();
          showReply(conversationId, { messageId, text, timestamp }, 'streaming');
        }
      }
      if (signal.aborted) {
        await stopped(conversationId, worker, started ? messageId : undefined, job.c);
        return;
      }
      if (!started) await start();
      // Stored with `stream-end`, in one step: a tab syncing in between finds either the reply
      // streaming (and then hears its end) or finished.
      await step({ type: 'stream-end', messageId }, { op: 'end', messageId });
      if (signal.aborted) return;
      showReply(conversationId, { messageId, text, timestamp }, 'complete');
      await settle(false);
      observer.changed();
    } catch (err) {
      if (signal.aborted) {
        await stopped(conversationId, worker, started ? messageId : undefined, job.c);
        return;
      }
      await settle(true);
      if (started) {
        lastSeq =
          (await emit(
            conversationId,
            { type: 'error', message: TEXTS.streamFailed },
            { reply: { op: 'abort', messageId }, ...(asker ? { except: asker } : {}) },
          )) ?? lastSeq;
        observer.replyFailed(conversationId, messageId);
      }
      runtime.logger.error(`[bot] reply failed in conversation ${conversationId}:`, err);
      // The asker's own error names its message, so its widget can offer to send it again.
      const message = started ? TEXTS.streamFailed : TEXTS.replyFailed;
      sendAfter(conversationId, asker, lastSeq, {
        type: 'error',
        message,
        ...(job.c ? { clientMessageId: job.c } : {}),
      });
    }
  }

  /**
   * The bot was stopped mid-reply. Abandoned (nobody is left to read it): the reply ends as
   * interrupted here, its question already marked unanswered. Handed over (shutdown) or lost
   * (another process took over): the reply stays as it is in the store, for whoever takes over
   * to end it as interrupted.
   * @param {string} conversationId
   * @param {Worker} worker
   * @param {string | undefined} messageId
   * @param {string} [clientMessageId] the question's, when the visitor's widget gave one
   */
  async function stopped(conversationId, worker, messageId, clientMessageId) {
    if (worker.stop !== 'abandoned') return;
    if (!messageId) {
      // Stopped before its first word: there is no reply to end, so the question is named in
      // the log instead, and the tab that asked sends it again when it resumes.
      if (clientMessageId) {
        await emit(conversationId, {
          type: 'error',
          message: TEXTS.unanswered,
          clientMessageId,
        }).catch(() => undefined);
      }
      return;
    }
    // Ended for the log, so a visitor who comes back and resumes sees it stop, and can retry.
    await emit(
      conversationId,
      { type: 'stream-end', messageId, interrupted: true },
      { reply: { op: 'end', messageId, interrupted: true } },
    ).catch(() => undefined);
    observer.replyFailed(conversationId, messageId);
  }

  /**
   * @param {string} conversationId
   * @param {{ messageId: string, text: string, timestamp: string }} reply
   * @param {'streaming' | 'complete'} state
   */
  function showReply(conversationId, reply, state) {
    observer.message(conversationId, {
      messageId: reply.messageId,
      role: 'assistant',
      content: reply.text,
      timestamp: reply.timestamp,
      ...(state === 'streaming' ? { state } : {}),
    });
  }

  return answer;
}
