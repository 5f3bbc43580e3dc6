/** "just now", "3 min ago", "yesterday": relative to `now`, in the UI language. */
const cache = new Map<string, Intl.RelativeTimeFormat>();

const STEPS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 7],
  ['week', 4.35],
  ['month', 12],
  ['year', Infinity],
];

export function relativeTime(at: number, now: number, language: string): string {
  let format = cache.get(language);
  if (!format) {
    format = new Intl.RelativeTimeFormat(language, { numeric: 'auto', style: 'short' });
    cache.set(language, format);
  }
  let value = (at - now) / 1000;
  // Under a minute reads as "now": seconds ticking would be noise in a chat.
  if (Math.abs(value) < 60) return format.format(0, 'second');
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return format.format(Math.round(value), unit);
    value /= size;
  }
  return format.format(Math.round(value), 'year');
}
