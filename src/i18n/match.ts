/**
 * Choosing a UI language and its direction from BCP 47 tags, for any app with its own
 * catalogues: the widget (index.ts) and the agent console (apps/agent-console/i18n/) use the
 * same rules.
 */

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

/**
 * Pick one of `available` (lower-case primary subtags) from candidates in priority order (an
 * element's `lang`, the page's `<html lang>`, then `navigator.languages`). Each candidate is
 * matched case-insensitively, first exactly, then by its primary subtag (`es-MX` → `es`); a
 * candidate with no match (`zh`, empty, missing) passes to the next. Falls back to `fallback`.
 */
export function matchLanguage<L extends string>(
  requested: readonly (string | null | undefined)[],
  available: readonly L[],
  fallback: L,
): L {
  const known = (tag: string): tag is L => (available as readonly string[]).includes(tag);
  for (const candidate of requested) {
    const tag = normalize(candidate);
    if (!tag) continue;
    if (known(tag)) return tag;
    const primary = tag.split('-', 1)[0] ?? '';
    if (known(primary)) return primary;
  }
  return fallback;
}

/** The candidates in the order both apps ask: the element's `lang`, the page's, the browser's. */
export function requestedLanguages(element: { lang: string }): (string | null | undefined)[] {
  return [element.lang, document.documentElement.lang, ...navigator.languages];
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
