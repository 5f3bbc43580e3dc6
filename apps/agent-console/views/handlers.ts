import type { ChatSummary, LeftMessage } from '../model.js';
import type { Outgoing } from '../state.js';

/** What the views let the agent do; the element (agent-console.ts) runs it. */
export interface Handlers {
  signIn(event: SubmitEvent): void;
  signOut(): void;
  enableNotifications(): void;
  dismissAlert(): void;
  select(id: string): void;
  back(): void;
  take(chat: ChatSummary): void;
  handBack(chat: ChatSummary): void;
  closeChat(chat: ChatSummary): void;
  transfer(chat: ChatSummary, event: SubmitEvent): void;
  resolve(left: LeftMessage): void;
  composerKey(event: KeyboardEvent): void;
  composerInput(): void;
  submit(event: SubmitEvent): void;
  resend(outgoing: Outgoing): void;
  scroll(event: Event): void;
}

/** What every view is given. */
export interface ViewContext {
  state: import('../state.js').State;
  locale: import('../i18n/index.js').ConsoleLocale;
  handlers: Handlers;
  /** The server's clock, for "waiting 4 min". */
  now: number;
}
