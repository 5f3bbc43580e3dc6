/**
 * Notes under the composer, as data: the element words them in the visitor's language, and
 * code decides by kind, never by comparing translated text.
 */
import type { Strings } from '../i18n/en.js';
import { format } from '../i18n/format.js';

export type Notice =
  | { kind: 'too-long'; length: number; max: number }
  /** Messages wait for the backend's rate limit (or a refusal's pause). */
  | { kind: 'rate-limited' }
  /** The browser is offline: messages wait for the connection. */
  | { kind: 'offline-queued' };

export function noticeText(notice: Notice, strings: Strings): string {
  switch (notice.kind) {
    case 'too-long':
      return format(strings, 'tooLong', { length: notice.length, max: notice.max });
    case 'rate-limited':
      return strings.rateLimited;
    case 'offline-queued':
      return strings.offlineQueued;
  }
}

/** Notices about waiting messages, which go once the messages do. */
export function isQueueNotice(notice: Notice | undefined): boolean {
  return notice?.kind === 'rate-limited' || notice?.kind === 'offline-queued';
}
