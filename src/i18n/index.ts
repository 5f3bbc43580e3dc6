import { ar } from './ar.js';
import { de } from './de.js';
import { en } from './en.js';
import type { StringKey, Strings } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import { ja } from './ja.js';
import { isRtl, matchLanguage } from './match.js';

export { format } from './format.js';
export { isRtl } from './match.js';
export type { StringKey, Strings } from './en.js';

/** The built-in languages, as lower-case BCP 47 primary subtags. */
export type Language = 'en' | 'es' | 'fr' | 'de' | 'ja' | 'ar';

export const catalogues: Record<Language, Strings> = { en, es, fr, de, ja, ar };

export const languages = Object.keys(catalogues) as readonly Language[];

export const defaultLanguage: Language = 'en';

export interface Localization {
  language: Language;
  strings: Strings;
  dir: 'ltr' | 'rtl';
}

/**
 * Pick a built-in language from candidates in priority order (the element's `lang`,
 * the page's `<html lang>`, then `navigator.languages`): match.ts says how. Falls back to `en`.
 */
export function resolveLanguage(requested: readonly (string | null | undefined)[]): Language {
  return matchLanguage(requested, languages, defaultLanguage);
}

/**
 * The strings to show: the catalogue chosen by `resolveLanguage`, with the host's
 * overrides on top. Only known keys with string values are taken from `overrides`;
 * anything else (unknown keys, numbers, null…) is ignored. Always a fresh object.
 */
export function stringsFor(
  requested: readonly (string | null | undefined)[],
  overrides?: Partial<Strings> | null,
): Localization {
  const language = resolveLanguage(requested);
  const strings: Strings = { ...catalogues[language] };
  if (overrides && typeof overrides === 'object') {
    for (const key of Object.keys(en) as StringKey[]) {
      if (!Object.hasOwn(overrides, key)) continue;
      const value: unknown = overrides[key];
      if (typeof value === 'string') strings[key] = value;
    }
  }
  return { language, strings, dir: isRtl(language) ? 'rtl' : 'ltr' };
}
