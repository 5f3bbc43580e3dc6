/**
 * What a connection status means for the error banner: pure, so the rules are tested as data.
 */
import type { StatusInfo } from '../connection/connection.js';
import type { Strings } from '../i18n/en.js';
import type { BannerError } from './state.js';
import { visitorMessage } from './visitor-errors.js';

/** Banners a working connection proves wrong. */
const CONNECTION_ERRORS = new Set(['connection', 'auth', 'token']);

/**
 * The banner after `info`: `undefined` clears it, `current` keeps it, a new one replaces it (and
 * is news for the page). Configuration errors are the element's to show and clear.
 */
export function bannerAfter(
  info: StatusInfo,
  current: BannerError | undefined,
  strings: Strings,
): BannerError | undefined {
  if (info.status === 'connected') {
    return current && CONNECTION_ERRORS.has(current.code) ? undefined : current;
  }
  const { code, reason } = info;
  if (code === undefined || code === 'config') return current;
  if (reason === undefined && code !== 'auth') return current;
  const message =
    code === 'connection' && !reason ? strings.errorRefused : visitorMessage(code, strings);
  if (current?.message === message) return current;
  return { code, message, ...(reason ? { detail: reason } : {}) };
}
