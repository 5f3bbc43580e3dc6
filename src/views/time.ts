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

/** Messages of one author this close together share one time, under the last of them. */
export const TIME_GROUP_MS = 5 * 60_000;

/** Whether `next` continues the group `message` is in (so `message` shows no time of its own). */
export function continuesGroup(
  message: { role: string; createdAt: number; author?: { name: string } | undefined },
  next: { role: string; createdAt: number; author?: { name: string } | undefined } | undefined,
): boolean {
  return (
    next !== undefined &&
    next.role === message.role &&
    next.author?.name === message.author?.name &&
    next.createdAt >= message.createdAt &&
    next.createdAt - message.createdAt < TIME_GROUP_MS
  );
}

const exactFormats = new Map<string, Intl.DateTimeFormat>();

/** The exact date and time, for hover: "4 Dec 2026, 18:19". */
export function exactTime(at: number, language: string): string {
  let format = exactFormats.get(language);
  if (!format) {
    format = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
    exactFormats.set(language, format);
  }
  return format.format(at);
}
