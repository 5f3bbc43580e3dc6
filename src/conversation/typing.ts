import type { Strings } from '../i18n/en.js';
import { format } from '../i18n/format.js';

/** Another participant's typing indicator lapses after this long without news. */
export const TYPING_TTL_MS = 6000;

/**
 * Who is typing: other people by name, each lapsing on its own, and the assistant from a
 * question until the first words of its reply.
 */
export class TypingState {
  /** The assistant owes a reply it has not started. */
  awaitingReply = false;
  /** Name → when the indicator lapses (ms since epoch). */
  readonly #people = new Map<string, number>();

  person(name: string, active: boolean, now = Date.now()): void {
    if (active) this.#people.set(name, now + TYPING_TTL_MS);
    else this.#people.delete(name);
  }

  /** Drops indicators whose time is up; true when one was dropped. */
  lapse(now = Date.now()): boolean {
    let dropped = false;
    for (const [name, until] of this.#people) {
      if (until <= now) {
        this.#people.delete(name);
        dropped = true;
      }
    }
    return dropped;
  }

  clear(): void {
    this.#people.clear();
    this.awaitingReply = false;
  }

  /** The indicator in words; undefined when nobody types. A person holding the chat hides the bot's. */
  label(strings: Strings, botMayType: boolean, now = Date.now()): string | undefined {
    const names = [...this.#people].filter(([, until]) => until > now).map(([name]) => name);
    if (names.length > 0) return format(strings, 'personTyping', { name: names.join(', ') });
    return this.awaitingReply && botMayType ? strings.typing : undefined;
  }
}
