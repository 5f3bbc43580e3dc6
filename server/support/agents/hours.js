/**
 * Opening hours of the team, e.g. `AGENT_HOURS=09:00-17:00` in `AGENT_TIMEZONE=Europe/Berlin`.
 * A range that ends before it starts (`22:00-06:00`) runs over midnight. Unset means always.
 */

const RANGE = /^([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-4]):([0-5]\d)$/;

/**
 * @typedef {object} Hours
 * @property {number} from minutes after local midnight
 * @property {number} to minutes after local midnight; may be less than `from`
 * @property {string} timeZone an IANA zone
 * @property {string} label what the visitor is told, e.g. "09:00–17:00 (Europe/Berlin)"
 */

/**
 * @param {string | undefined} range
 * @param {string | undefined} timeZone unset: UTC
 * @returns {{ hours: Hours | undefined, problem?: string }}
 */
export function parseHours(range, timeZone) {
  if (range === undefined || range.trim() === '') return { hours: undefined };
  const match = RANGE.exec(range.trim());
  if (!match) {
    return { hours: undefined, problem: `AGENT_HOURS=${range} is not HH:MM-HH:MM` };
  }
  const [h1, m1, h2, m2] = match.slice(1, 5).map(Number);
  const from = /** @type {number} */ (h1) * 60 + /** @type {number} */ (m1);
  const to = /** @type {number} */ (h2) * 60 + /** @type {number} */ (m2);
  if (to > 24 * 60 || from === to) {
    return { hours: undefined, problem: `AGENT_HOURS=${range} is not a range of the day` };
  }
  const zone = timeZone?.trim() || 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    return { hours: undefined, problem: `AGENT_TIMEZONE=${timeZone} is not a known time zone` };
  }
  const text = (/** @type {number} */ minutes) =>
    `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
  return { hours: { from, to, timeZone: zone, label: `${text(from)}–${text(to)} (${zone})` } };
}

/**
 * @param {Hours | undefined} hours
 * @param {number} time epoch milliseconds
 */
export function isWithinHours(hours, time) {
  if (!hours) return true;
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: hours.timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(time));
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value);
  const now = hour * 60 + minute;
  return hours.from < hours.to
    ? now >= hours.from && now < hours.to
    : now >= hours.from || now < hours.to;
}
