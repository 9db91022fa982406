// A wall-clock time without zone (what a browser's <input type="datetime-local"> sends, and so
// FixMyStreet's form: `2026-12-06T08:30`) read as local time in a given IANA zone, with the
// disambiguation of Temporal's 'compatible' mode: a time that occurs twice (the autumn change)
// is the earlier one, a time that does not exist (the spring gap) is moved forward by the gap.
// Written with Intl (full ICU ships with Node), so no time-zone data of our own goes stale.

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
const HOUR = 3_600_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at instant `ms`, in milliseconds (+1 h for CET). */
function offsetAt(zone: string, ms: number): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

const pad = (n: number, w = 2) => String(Math.trunc(Math.abs(n))).padStart(w, '0');

/** `+01:00` for 3 600 000 ms. */
function offsetText(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return `${minutes < 0 ? '-' : '+'}${pad(Math.abs(minutes) / 60)}:${pad(Math.abs(minutes) % 60)}`;
}

/**
 * `2026-12-06T08:30` in `zone` as a W3C date-time with the zone's offset at that moment
 * (`2026-12-06T08:30:00+01:00`); null when `text` is not such a time or names no real date
 * (2026-02-30, 24:00). Seconds and fractions are kept when given.
 */
export function localToW3c(text: string, zone: string): string | null {
  const m = LOCAL.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const fraction = m[7];
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(wall).getUTCDate() !== day) return null; // 2026-02-30 rolled over
  // the offsets in force a day before and after: a change of offset lies between them, if any
  const before = offsetAt(zone, wall - 24 * HOUR);
  const after = offsetAt(zone, wall + 24 * HOUR);
  const valid = [...new Set([before, after])].filter((o) => offsetAt(zone, wall - o) === o);
  // twice (autumn): the earlier instant, the larger offset; never (spring gap): the offset before it
  const instant = wall - (valid.length ? Math.max(...valid) : before);
  // written in the offset in force at that instant (in the gap: 02:30 becomes 03:30+02:00)
  const offset = offsetAt(zone, instant);
  const local = new Date(instant + offset);
  const date = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}`;
  const time = `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${fraction ? `.${fraction}` : ''}`;
  return `${date}T${time}${offsetText(offset)}`;
}
