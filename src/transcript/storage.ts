/**
 * The transcript survives a reload in the same tab (sessionStorage). Never the
 * token: only messages and the conversation id are written.
 */
import type { ChatMessage } from '../types.js';

const VERSION = 1;
/** A tab keeps at most this many messages; older ones are dropped from storage first. */
const MAX_STORED = 500;

export interface Stored {
  conversationId?: string;
  /** A per-tab visitor id for backends that need one and got none from the page. */
  userId?: string;
  messages: ChatMessage[];
}

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    // Storage can throw (sandboxed iframes, disabled cookies): the widget just forgets on reload.
    return undefined;
  }
}

export function storageKey(protocol: string, server: string, scope: string): string {
  return `chat-widget:v${VERSION}:${protocol}:${server}${scope ? `:${scope}` : ''}`;
}

export function load(key: string): Stored | undefined {
  const raw = storage()?.getItem(key);
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as Partial<Stored>;
    if (!Array.isArray(value.messages)) return undefined;
    const messages = value.messages.filter(isMessage).map((message) =>
      // A reply cut off by the reload will not continue: show it as interrupted.
      message.state === 'streaming'
        ? { ...message, state: 'complete' as const, note: 'interrupted' as const }
        : message,
    );
    return {
      messages,
      ...(typeof value.conversationId === 'string' ? { conversationId: value.conversationId } : {}),
      ...(typeof value.userId === 'string' ? { userId: value.userId } : {}),
    };
  } catch {
    return undefined;
  }
}

export function save(key: string, value: Stored): void {
  try {
    storage()?.setItem(
      key,
      JSON.stringify({ ...value, messages: value.messages.slice(-MAX_STORED) }),
    );
  } catch {
    // Quota exceeded: keeping the chat working matters more than keeping it across reloads.
  }
}

export function forget(key: string): void {
  try {
    storage()?.removeItem(key);
  } catch {
    /* see storage() */
  }
}

function isMessage(value: unknown): value is ChatMessage {
  if (value === null || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  return (
    typeof m.id === 'string' &&
    typeof m.content === 'string' &&
    typeof m.role === 'string' &&
    typeof m.state === 'string' &&
    typeof m.createdAt === 'number'
  );
}

/**
 * Whether this tab keeps a conversation for the widget these name. The element connects at once
 * when it does, and the loader loads the element at once: both ask this module, so they agree.
 */
export function hasStoredConversation(protocol: string, server: string, scope: string): boolean {
  return (load(storageKey(protocol, server, scope))?.messages.length ?? 0) > 0;
}
