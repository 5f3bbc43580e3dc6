/**
 * The bot's replies in `stream` conversations, on whichever process can give them.
 *
 * A question waits in the store (a job of the conversation) until a reply worker answers it: the
 * process that holds the conversation's lease, renewed every third of `leaseMs` while it lives,
 * answers the waiting questions one at a time. When a process dies, another notices the lapsed
 * lease (the sweeper), ends the reply the dead one was streaming as interrupted (its text kept
 * as the visitor saw it; `retry` asks again) and answers the questions still waiting. A reply
 * goes on while its visitor has a socket open on any process; with none for `abandonGraceMs` it
 * is abandoned.
 */
import { randomBytes } from 'node:crypto';
import { createAnswer } from './answer.js';
import { TEXTS } from './texts.js';

/** A chat is refused while this many questions wait in the conversation. */
export const MAX_QUEUED = 5;
/** How long a reply worker's lease lasts without renewal: a dead process's replies wait this. */
export const DEFAULT_LEASE_MS = 6000;

/**
 * @typedef {{ q: string, s?: string, c?: string }} Job a question waiting for the bot: its
 *   message id, the asking socket (its reply goes to it even when it speaks no extension) and
 *   the client's id for it (an `error` echoes it)
 *
 * A reply worker running here: this process holds the conversation's lease.
 * @typedef {object} Worker
 * @property {AbortController} controller aborts the bot
 * @property {'abandoned' | 'lost' | 'handover' | undefined} stop why it was aborted
 */

/** @param {Worker} worker @param {NonNullable<Worker['stop']>} why */
function stopWorker(worker, why) {
  worker.stop ??= why;
  worker.controller.abort();
}

/** @param {string} raw @returns {Job | undefined} */
export function parseJob(raw) {
  try {
    const job = JSON.parse(raw);
    return typeof job?.q === 'string' ? job : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @param {object} deps
 * @param {import('./store.js').StreamStore} deps.store
 * @param {import('../bots/index.js').Bot} deps.bot
 * @param {import('./delivery.js').Delivery} deps.delivery
 * @param {import('./ports.js').StreamObserver} deps.observer
 * @param {import('../platform/runtime.js').Runtime} deps.runtime
 * @param {number} [deps.leaseMs] a reply worker's lease; another process takes over after it
 * @param {number} [deps.abandonGraceMs] a reply nobody has a socket open for (on any process)
 *   this long is abandoned; 0 (the default) at once, as one process can tell
 */
export function createReplies({
  store,
  bot,
  delivery,
  observer,
  runtime,
  leaseMs = DEFAULT_LEASE_MS,
  abandonGraceMs = 0,
}) {
  const processId = `p_${randomBytes(6).toString('base64url')}`;
  const { emit, lives } = delivery;
  const { logFailure } = runtime;
  /** @type {Map<string, Worker>} */
  const workers = new Map();
  let draining = false;
  const answer = createAnswer({ store, bot, delivery, observer, runtime, stopWorker });

  const sweeper = setInterval(
    () => {
      if (runtime.closed || draining) return;
      store.expiredWorkers(Date.now()).then((ids) => {
        for (const id of ids) if (!workers.has(id)) startWorker(id);
      }, logFailure('[bot] could not look for replies to take over'));
    },
    Math.max(250, Math.min(1000, leaseMs / 4)),
  );
  sweeper.unref?.();

  /**
   * A question waits for the bot; a worker (here, or wherever one runs) answers it.
   * @param {string} conversationId
   * @param {Job} job
   * @param {number} [max] a chat checks MAX_QUEUED before storing its message, and is then let
   *   in past it rather than acknowledged and refused when two arrive at once
   * @returns {Promise<boolean>} false when too many are waiting
   */
  async function addJob(conversationId, job, max = MAX_QUEUED) {
    if (!(await store.addJob(conversationId, JSON.stringify(job), max))) return false;
    startWorker(conversationId);
    return true;
  }

  /**
   * Answers the conversation's waiting questions one at a time while this process holds its
   * lease. Started when a question arrives, and by the sweeper for a lease that ran out: then it
   * first ends the reply the dead process left, as interrupted.
   * @param {string} conversationId
   */
  function startWorker(conversationId) {
    if (workers.has(conversationId) || runtime.closed || draining) return;
    /** @type {Worker} */
    const worker = { controller: new AbortController(), stop: undefined };
    workers.set(conversationId, worker);
    /** @type {ReturnType<typeof setInterval> | undefined} */
    let renewing;
    let unattendedSince = 0;
    const run = async () => {
      if (!(await store.claimWorker(conversationId, processId, leaseMs))) return;
      const renew = async () => {
        try {
          if (!(await store.claimWorker(conversationId, processId, leaseMs))) {
            stopWorker(worker, 'lost');
            return;
          }
          // Nobody anywhere is left to read it: on one process the last socket's close says
          // so at once; here every socket may be on another process.
          if (draining || lives.has(conversationId)) {
            unattendedSince = 0;
          } else if ((await store.attachedVisitors(conversationId)) > 0) {
            unattendedSince = 0;
          } else {
            unattendedSince ||= Date.now();
            if (Date.now() - unattendedSince >= abandonGraceMs) {
              await abandon(conversationId);
            }
          }
        } catch {
          // The store is unreachable: the lease runs out and whoever is alive takes over.
        }
      };
      renewing = setInterval(() => void renew(), Math.max(100, leaseMs / 3));
      renewing.unref?.();
      for (;;) {
        if (worker.controller.signal.aborted) break;
        const snapshot = await store.snapshot(conversationId);
        if (!snapshot) break;
        if (snapshot.reply) await interrupt(conversationId, snapshot.reply);
        const raw = (await store.jobs(conversationId))[0];
        if (raw === undefined) {
          await store.releaseWorker(conversationId, processId);
          // A question added while this worker was finding none would otherwise wait for good.
          if ((await store.jobs(conversationId)).length === 0) break;
          if (!(await store.claimWorker(conversationId, processId, leaseMs))) break;
          continue;
        }
        if (draining) break;
        const job = parseJob(raw);
        if (job) await answer(conversationId, job, worker);
        if (worker.controller.signal.aborted) break;
        await store.removeJob(conversationId, raw);
      }
    };
    run()
      .catch((err) => {
        if (!runtime.closed) {
          runtime.logger.error(`[bot] reply worker failed in conversation ${conversationId}:`, err);
        }
      })
      .finally(async () => {
        clearInterval(renewing);
        if (workers.get(conversationId) === worker) workers.delete(conversationId);
        // Whatever is left is for another process: at once when this one is shutting down.
        if (worker.stop === 'handover' || draining) {
          await store.expireWorker(conversationId, processId).catch(() => {});
        } else if (worker.stop === 'abandoned') {
          await store.releaseWorker(conversationId, processId).catch(() => {});
        }
      });
  }

  /**
   * Ends a reply whose process died (or stopped without finishing it) as interrupted: its text
   * is kept as the visitor saw it, its question can be asked again with `retry`.
   * @param {string} conversationId
   * @param {import('./store.js').ReplyState} reply
   */
  async function interrupt(conversationId, reply) {
    const seq = await emit(
      conversationId,
      { type: 'stream-end', messageId: reply.messageId, interrupted: true },
      { reply: { op: 'end', messageId: reply.messageId, interrupted: true } },
    );
    if (seq === undefined) return;
    await store.updateMessage(conversationId, reply.questionId, { unanswered: true });
    for (const raw of await store.jobs(conversationId)) {
      if (parseJob(raw)?.q === reply.questionId) await store.removeJob(conversationId, raw);
    }
    observer.replyFailed(conversationId, reply.messageId);
    observer.changed();
  }

  /**
   * Nobody is left to read the replies: the bot stops, and the questions waiting are marked
   * unanswered, so a resend from the visitor's next socket is answered.
   * @param {string} conversationId
   */
  async function abandon(conversationId) {
    const worker = workers.get(conversationId);
    if (worker) stopWorker(worker, 'abandoned');
    const raws = await store.clearJobs(conversationId);
    for (const [index, raw] of raws.entries()) {
      const job = parseJob(raw);
      if (!job) continue;
      await store.updateMessage(conversationId, job.q, { unanswered: true });
      // Questions still waiting are named in the conversation's log, so the tab that asked finds
      // them when it resumes and sends them again (a resend of an unanswered question is
      // answered). The one being answered (the queue's head, removed only when done) ends as an
      // interrupted reply with Retry instead, so it is not answered twice.
      if (job.c && !(worker && index === 0)) {
        await emit(conversationId, {
          type: 'error',
          message: TEXTS.unanswered,
          clientMessageId: job.c,
        });
      }
    }
  }

  return {
    addJob,
    abandon,
    /** Shutting down: no reply starts here any more. */
    get draining() {
      return draining;
    },
    /**
     * Shutting down while others carry on: no new reply starts here; replies in progress get
     * `graceMs` to finish (their frames reach visitors who reconnected elsewhere), then the rest
     * is left for another process to take over at once.
     * @param {number} graceMs
     */
    async drain(graceMs) {
      draining = true;
      const deadline = Date.now() + graceMs;
      while (workers.size > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      for (const worker of workers.values()) stopWorker(worker, 'handover');
      const waiting = [...workers.keys()];
      for (let i = 0; i < 40 && workers.size > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      // Leases this process still holds (a worker that had not claimed yet) go too.
      await Promise.all(waiting.map((id) => store.expireWorker(id, processId).catch(() => false)));
    },
    /** Stops the sweeper and hands every reply in progress over. */
    shutdown() {
      clearInterval(sweeper);
      for (const worker of workers.values()) stopWorker(worker, 'handover');
    },
  };
}

/** @typedef {ReturnType<typeof createReplies>} Replies */
