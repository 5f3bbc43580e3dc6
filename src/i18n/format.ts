import type { StringKey, Strings } from './en.js';

/** Fill `{name}` placeholders. Values are text: the result is rendered by Lit as text. */
export function format(
  strings: Strings,
  key: StringKey,
  values: Record<string, string | number> = {},
): string {
  return strings[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}
