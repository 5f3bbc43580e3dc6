/**
 * The console's string catalogue, in the widget's six languages, chosen by the widget's rules
 * (src/i18n/match.ts): the element's `lang`, then the page's, then the browser's languages.
 */
import { format } from '../../../src/i18n/format.js';
import { isRtl, matchLanguage } from '../../../src/i18n/match.js';
import { ar } from './ar.js';
import { de } from './de.js';
import { en, type ConsoleKey, type ConsoleStrings } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import { ja } from './ja.js';

export type { ConsoleKey, ConsoleStrings } from './en.js';

export type ConsoleLanguage = 'en' | 'es' | 'fr' | 'de' | 'ja' | 'ar';

export const catalogues: Record<ConsoleLanguage, ConsoleStrings> = { en, es, fr, de, ja, ar };
const languages = Object.keys(catalogues) as readonly ConsoleLanguage[];

/** A string to show, kept as its key so it is shown in the language of the moment. */
export type Text =
  | { key: ConsoleKey; values?: Record<string, string | number> }
  /** Words the server wrote, shown as they are. */
  | { raw: string };

export interface ConsoleLocale {
  language: ConsoleLanguage;
  dir: 'ltr' | 'rtl';
  strings: ConsoleStrings;
  /** One catalogue string with its `{placeholders}` filled. */
  t(key: ConsoleKey, values?: Record<string, string | number>): string;
  /** A Text in this language. */
  text(text: Text): string;
  /** "Maya and Sam", as this language joins names. */
  list(names: readonly string[]): string;
  /** "14:05" for an ISO time. */
  clock(iso: string): string;
  /** "under a minute", "4 min", "1 h 20 min": how long from `iso` to `now`. */
  elapsed(iso: string | undefined, now: number): string;
}

/** @param requested candidates in priority order, as `requestedLanguages` gives them */
export function localize(requested: readonly (string | null | undefined)[]): ConsoleLocale {
  const language = matchLanguage(requested, languages, 'en');
  const strings = catalogues[language];
  const t = (key: ConsoleKey, values?: Record<string, string | number>) =>
    format(strings, key, values);
  const clock = new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit' });
  const names = new Intl.ListFormat(language, { type: 'conjunction' });
  return {
    language,
    dir: isRtl(language) ? 'rtl' : 'ltr',
    strings,
    t,
    text: (text) => ('raw' in text ? text.raw : t(text.key, text.values)),
    list: (items) => names.format(items),
    clock(iso) {
      const time = Date.parse(iso);
      return Number.isNaN(time) ? '' : clock.format(time);
    },
    elapsed(iso, now) {
      if (!iso) return '';
      const since = Date.parse(iso);
      if (Number.isNaN(since)) return '';
      const minutes = Math.floor(Math.max(0, now - since) / 60_000);
      if (minutes < 1) return t('underAMinute');
      if (minutes < 60) return t('minutes', { minutes });
      const hours = Math.floor(minutes / 60);
      const rest = minutes % 60;
      return rest === 0 ? t('hours', { hours }) : t('hoursMinutes', { hours, minutes: rest });
    },
  };
}
