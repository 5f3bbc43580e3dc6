import { ar } from './ar.js';
import { de } from './de.js';
import { en } from './en.js';
import type { StringKey, Strings } from './en.js';
import { es } from './es.js';
import { fr } from './fr.js';
import { ja } from './ja.js';

export { format } from './format.js';
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

/** Primary subtags of languages written right to left. */
const rtlLanguages: ReadonlySet<string> = new Set([
  'ar', // Arabic
  'he', // Hebrew
  'iw', // Hebrew (deprecated code)
  'fa', // Persian
  'ur', // Urdu
  'ps', // Pashto
  'sd', // Sindhi
  'ug', // Uyghur
  'yi', // Yiddish
  'ji', // Yiddish (deprecated code)
  'dv', // Dhivehi
  'ckb', // Central Kurdish (Sorani)
  'ks', // Kashmiri
  'syr', // Syriac
  'nqo', // N'Ko
  'mzn', // Mazanderani
  'lrc', // Northern Luri
]);

/** Script subtags that settle the direction whatever the language. */
const rtlScripts: ReadonlySet<string> = new Set([
  'arab',
  'hebr',
  'thaa',
  'syrc',
  'nkoo',
  'adlm',
  'rohg',
  'mand',
  'samr',
]);

/** Lower-case, `_` → `-`, trimmed; empty for anything that is not a usable tag. */
function normalize(tag: unknown): string {
  return typeof tag === 'string' ? tag.trim().toLowerCase().replace(/_/g, '-') : '';
}

function isLanguage(tag: string): tag is Language {
  return Object.hasOwn(catalogues, tag);
}

/**
 * Pick a built-in language from candidates in priority order (the element's `lang`,
 * the page's `<html lang>`, then `navigator.languages`). Each candidate is matched
 * case-insensitively, first exactly, then by its primary subtag (`es-MX` → `es`);
 * a candidate with no match (`zh`, empty, missing) passes to the next. Falls back to `en`.
 */
export function resolveLanguage(requested: readonly (string | null | undefined)[]): Language {
  for (const candidate of requested) {
    const tag = normalize(candidate);
    if (!tag) continue;
    if (isLanguage(tag)) return tag;
    const primary = tag.split('-', 1)[0] ?? '';
    if (isLanguage(primary)) return primary;
  }
  return defaultLanguage;
}

/**
 * Whether a language tag is written right to left: by its script subtag when it has
 * one (`az-Arab`, `ks-Deva`), otherwise by its primary subtag (`ar`, `he-IL`, `fa`…).
 */
export function isRtl(language: string): boolean {
  const [primary = '', ...rest] = normalize(language).split('-');
  // The script subtag follows the language, after an optional extlang (`zh-yue-Hant`).
  const next = /^[a-z]{3}$/.test(rest[0] ?? '') ? rest[1] : rest[0];
  if (next !== undefined && /^[a-z]{4}$/.test(next)) return rtlScripts.has(next);
  return rtlLanguages.has(primary);
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
