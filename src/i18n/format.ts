/**
 * Fill `{name}` placeholders of one string of a catalogue (the widget's, or any app's). Values
 * are text: the result is rendered by Lit as text.
 */
export function format<K extends string>(
  strings: Readonly<Record<K, string>>,
  key: K,
  values: Record<string, string | number> = {},
): string {
  return strings[key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}
