/**
 * What the visitor reads when something fails: short, in their language, and never the
 * backend's own words (those carry database errors, stack traces, internal ids). The detail
 * goes to the page in `chat-error` and to `console.debug`.
 */
import type { Strings } from '../i18n/en.js';

/**
 * The banner text for an error `code` (an adapter's, a close verdict's or the widget's own);
 * `duringReply`: a reply was owed or streaming when it came.
 */
export function visitorMessage(code: string, strings: Strings, duringReply = true): string {
  switch (code) {
    case 'auth':
    case 'unauthorized':
    case 'access-denied':
      return strings.errorAuth;
    case 'token':
      return strings.errorToken;
    case 'CHAT_NOT_FOUND':
    case 'room-not-found':
      return strings.errorGone;
    case 'rate-limited':
    case 'RATE_LIMIT_EXCEEDED':
      return strings.rateLimited;
    case 'reply-failed':
    case 'server-error':
    case 'PROCESSING_ERROR':
      // An error while nothing was being answered is not the assistant's.
      return duringReply ? strings.errorReply : strings.errorServer;
    case 'closed':
      return strings.errorEnded;
    case 'connection':
      return strings.errorRefused;
    default:
      return strings.errorServer;
  }
}
