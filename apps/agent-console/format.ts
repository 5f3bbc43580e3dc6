/** Short, readable times for the console. */

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** "14:05" for an ISO time. */
export function clockTime(iso: string): string {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? '' : clock.format(time);
}

/** "under a minute", "4 min", "1 h 20 min": how long since `iso`, on the server's clock. */
export function elapsed(iso: string | undefined, now: number): string {
  if (!iso) return '';
  const since = Date.parse(iso);
  if (Number.isNaN(since)) return '';
  const minutes = Math.floor(Math.max(0, now - since) / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
