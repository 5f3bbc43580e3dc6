/**
 * The conversation as the widget shows it. Pure data and rules (no DOM, no
 * timers): what a duplicate is, how a streamed reply grows and ends, what an
 * interrupted reply looks like.
 */
import type { WireMessage } from '../protocols/types.js';
import type { Author, ChatMessage, Role } from '../types.js';

export class Transcript {
  messages: ChatMessage[] = [];
  /** Every id a message is known by (its own, and server ids learned later). */
  readonly #index = new Map<string, ChatMessage>();
  /** During a replay: what the tab showed before it, by id, and where the unsent messages start. */
  #replaced: Map<string, ChatMessage> | undefined;
  #unsentFrom = 0;

  constructor(initial: ChatMessage[] = []) {
    for (const message of initial) this.push(message);
  }

  find(id: string): ChatMessage | undefined {
    return this.#index.get(id);
  }

  /** Add a local message (the user's, a system line). */
  push(message: ChatMessage): ChatMessage {
    this.messages.push(message);
    this.#index.set(message.id, message);
    for (const alias of message.aliases ?? []) this.#index.set(alias, message);
    return message;
  }

  /**
   * Learn another id for a message (a server id for a user message, a final id
   * for a reply). Kept on the message so a reload still recognises history.
   */
  alias(message: ChatMessage, id: string | undefined): void {
    if (!id || this.#index.has(id)) return;
    this.#index.set(id, message);
    (message.aliases ??= []).push(id);
  }

  /**
   * A whole message from the backend. Returns the message when it is new (or
   * completes a reply), undefined when it is one we already show.
   */
  receive(wire: WireMessage, now = Date.now()): ChatMessage | undefined {
    const known = this.find(wire.id) ?? (wire.clientId ? this.find(wire.clientId) : undefined);
    if (known) {
      if (known.state === 'streaming') {
        known.content = wire.content;
        known.state = 'complete';
        markInterrupted(known, wire.interrupted === true);
        return known;
      }
      if (known.role === 'user' && known.state === 'sending') known.state = 'sent';
      this.alias(known, wire.id);
      // The backend's copy of a reply wins: one this tab saw cut off (by a reload or a drop) may
      // have been finished since, and one it saw whole may be kept as cut off.
      if (
        known.role !== 'user' &&
        known.note !== 'deleted' &&
        (known.content !== wire.content ||
          (known.note === 'interrupted') !== (wire.interrupted === true))
      ) {
        known.content = wire.content;
        markInterrupted(known, wire.interrupted === true);
        return known;
      }
      return undefined;
    }
    const message: ChatMessage = {
      id: wire.id,
      role: wire.role,
      content: wire.content,
      state: wire.role === 'user' ? 'sent' : 'complete',
      createdAt: wire.createdAt ?? now,
      ...(wire.author ? { author: wire.author } : {}),
      ...(wire.interrupted ? { note: 'interrupted' as const } : {}),
    };
    return wire.role === 'user' ? this.push(message) : this.#answer(message);
  }

  /**
   * A replay of the conversation by the server begins: it is the server's truth, so what the
   * tab shows gives way to it, in the server's order. Only the visitor's messages the server
   * may not have yet (`sending`, `failed`) stay, after whatever the replay brings.
   */
  beginReplay(): void {
    this.#replaced = new Map();
    const kept: ChatMessage[] = [];
    for (const message of this.messages) {
      if (message.role === 'user' && (message.state === 'sending' || message.state === 'failed')) {
        kept.push(message);
      } else {
        this.#replaced.set(message.id, message);
      }
    }
    this.messages = [];
    this.#index.clear();
    for (const message of kept) this.push(message);
    this.#unsentFrom = 0;
  }

  /**
   * One replayed message, placed after the replay's earlier items and before the unsent ones.
   * `clientId` names the tab's own copy when the adapter recognised it: a message shown before
   * keeps its id (and is not news to the page); an unsent one the server turns out to have is
   * confirmed by it. Returns the message and whether the tab is seeing it for the first time.
   */
  replay(
    wire: WireMessage,
    now = Date.now(),
  ): { message: ChatMessage; isNew: boolean; acknowledged?: true } | undefined {
    const own = wire.clientId ? this.find(wire.clientId) : undefined;
    if (own && this.messages.indexOf(own) >= this.#unsentFrom) {
      // Unsent in the tab, stored on the server: it moves to where the server has it.
      this.messages.splice(this.messages.indexOf(own), 1);
      own.state = 'sent';
      delete own.reason;
      this.alias(own, wire.id);
      this.messages.splice(this.#unsentFrom++, 0, own);
      return { message: own, isNew: false, acknowledged: true };
    }
    if (own || this.find(wire.id)) return undefined;
    const before =
      (wire.clientId ? this.#replaced?.get(wire.clientId) : undefined) ??
      this.#replaced?.get(wire.id);
    const message: ChatMessage = {
      id: before?.id ?? wire.id,
      role: wire.role,
      content: wire.content,
      state: wire.role === 'user' ? 'sent' : 'complete',
      createdAt: wire.createdAt ?? before?.createdAt ?? now,
      ...(wire.author ? { author: wire.author } : {}),
      ...(before?.aliases ? { aliases: before.aliases } : {}),
    };
    this.messages.splice(this.#unsentFrom++, 0, message);
    this.#index.set(message.id, message);
    for (const alias of message.aliases ?? []) this.#index.set(alias, message);
    this.alias(message, wire.id);
    return { message, isNew: before === undefined };
  }

  /** A visitor message goes out again as a new one (its first sending got no answer). */
  reissue(message: ChatMessage, id: string): void {
    (message.aliases ??= []).push(message.id);
    message.id = id;
    this.#index.set(id, message);
    message.state = 'sending';
    delete message.note;
    delete message.reason;
  }

  /** Older history goes before everything shown; duplicates are skipped. */
  prepend(wires: WireMessage[]): ChatMessage[] {
    const added: ChatMessage[] = [];
    for (const wire of wires) {
      if (this.find(wire.id)) continue;
      const message: ChatMessage = {
        id: wire.id,
        role: wire.role,
        content: wire.content,
        state: wire.role === 'user' ? 'sent' : 'complete',
        createdAt: wire.createdAt ?? 0,
        ...(wire.author ? { author: wire.author } : {}),
      };
      this.#index.set(message.id, message);
      added.push(message);
    }
    this.messages = [...added, ...this.messages];
    return added;
  }

  /** The reply `id`, opened when it is not shown yet. */
  reply(id: string, role: Role = 'assistant', author?: Author, now = Date.now()): ChatMessage {
    const known = this.find(id);
    if (known) return known;
    return this.#answer({
      id,
      role,
      content: '',
      state: 'streaming',
      createdAt: now,
      ...(author ? { author } : {}),
    });
  }

  /**
   * A new message from the other side goes before the visitor's messages still waiting to be
   * sent: those wait for this very reply (one-reply-at-a-time backends), and read after it.
   */
  #answer(message: ChatMessage): ChatMessage {
    let at = this.messages.length;
    while (at > 0) {
      const before = this.messages[at - 1]!;
      if (before.role !== 'user' || before.state !== 'sending') break;
      at -= 1;
    }
    this.messages.splice(at, 0, message);
    this.#index.set(message.id, message);
    return message;
  }

  /** Append streamed text; a delta for a finished reply is a stray and is dropped. */
  append(id: string, delta: string, role?: Role): ChatMessage | undefined {
    const message = this.reply(id, role);
    if (message.state !== 'streaming') return undefined;
    message.content += delta;
    return message;
  }

  /** End a reply; `content` replaces what streamed when the backend sends the whole text. */
  end(id: string, content?: string, finalId?: string): ChatMessage | undefined {
    const message = this.find(id);
    if (!message) {
      if (content === undefined) return undefined;
      return this.push({
        id: finalId ?? id,
        role: 'assistant',
        content,
        state: 'complete',
        createdAt: Date.now(),
      });
    }
    if (message.state !== 'streaming') return undefined;
    if (content !== undefined) message.content = content;
    message.state = 'complete';
    if (finalId && finalId !== message.id && !this.#index.has(finalId)) {
      // The page (`data-id`, `chat-message`) and later history know the reply by the
      // backend's id; the local one stays an alias for stragglers that still use it.
      this.#index.set(finalId, message);
      (message.aliases ??= []).push(message.id);
      message.id = finalId;
    }
    return message;
  }

  /** Replies that will not continue (error, close, silence) are finished and marked. */
  interruptStreaming(note: 'interrupted' | null = 'interrupted'): ChatMessage[] {
    const ended: ChatMessage[] = [];
    for (const message of this.messages) {
      if (message.state !== 'streaming') continue;
      message.state = 'complete';
      if (note) message.note = note;
      ended.push(message);
    }
    return ended;
  }

  get streaming(): ChatMessage[] {
    return this.messages.filter((m) => m.state === 'streaming');
  }

  /** User messages not yet confirmed, oldest first: the outbox. */
  get pending(): ChatMessage[] {
    return this.messages.filter((m) => m.role === 'user' && m.state === 'sending');
  }

  update(id: string, content: string): ChatMessage | undefined {
    const message = this.find(id);
    if (!message) return undefined;
    message.content = content;
    message.note = 'edited';
    return message;
  }

  remove(id: string): ChatMessage | undefined {
    const message = this.find(id);
    if (!message) return undefined;
    message.content = '';
    message.note = 'deleted';
    return message;
  }

  clear(): void {
    this.messages = [];
    this.#index.clear();
    this.#replaced = undefined;
    this.#unsentFrom = 0;
  }
}

/** Sets or clears the "interrupted" note; other notes (edited, deleted…) are left alone. */
function markInterrupted(message: ChatMessage, interrupted: boolean): void {
  if (interrupted) message.note = 'interrupted';
  else if (message.note === 'interrupted') delete message.note;
}
