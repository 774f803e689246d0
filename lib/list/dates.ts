// Date filters of the list pages, in the console's named zone (CONSOLE_TIME_ZONE): typed dates, presets and the
// instants they stand for. Client-safe (no env): the zone is passed in. A day filter "from 2026-12-01" means
// midnight in that zone, not in UTC — a support person in Sydney filtering "today" sees today's failures.
export const DATE_PRESETS = ["today", "24h", "7d", "30d"] as const;
export type DatePreset = (typeof DATE_PRESETS)[number];
export const DATE_PRESET_LABEL: Record<DatePreset, string> = { today: "Today", "24h": "24 h", "7d": "7 d", "30d": "30 d" };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function validYmd(y: number, m: number, d: number): string | null {
  if (y < 1970 || y > 2999 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/**
 * A date typed from the keyboard → "YYYY-MM-DD", or null. Accepts ISO ("2026-12-01") and the Australian
 * day-first forms ("1/12/2026", "01-12-2026", "1.12.2026"); never month-first.
 */
export function parseTypedDate(text: string): string | null {
  const v = text.trim();
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(v);
  if (m) return validYmd(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v);
  if (m) return validYmd(Number(m[3]), Number(m[2]), Number(m[1]));
  return null;
}

/** The zone's offset from UTC (ms) at an instant. */
function offsetAt(zone: string, at: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(at));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return asUtc - Math.floor(at / 1000) * 1000;
}

/** The instant a day starts in a zone: "2026-12-01" in Australia/Sydney → 2026-11-30T13:00:00Z. */
export function startOfDayInZone(ymd: string, zone: string): Date {
  const [y, m, d] = ymd.split("-").map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(y, m - 1, d);
  let guess = utcMidnight - offsetAt(zone, utcMidnight);
  guess = utcMidnight - offsetAt(zone, guess); // once more, for a DST change between the two
  return new Date(guess);
}

/** Today's date ("YYYY-MM-DD") in a zone. */
export function todayInZone(zone: string, now: number = Date.now()): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(now));
}

function nextDay(ymd: string): string {
  const [y, m, d] = ymd.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

export interface DateFilter {
  from?: string;
  to?: string;
  range?: DatePreset;
}

/** The half-open interval [start, end) a date filter stands for; a preset wins over typed dates. */
export function dateBounds(f: DateFilter, zone: string, now: number = Date.now()): { start?: Date; end?: Date } {
  switch (f.range) {
    case "today":
      return { start: startOfDayInZone(todayInZone(zone, now), zone) };
    case "24h":
      return { start: new Date(now - DAY) };
    case "7d":
      return { start: new Date(now - 7 * DAY) };
    case "30d":
      return { start: new Date(now - 30 * DAY) };
    default:
      return {
        start: f.from ? startOfDayInZone(f.from, zone) : undefined,
        end: f.to ? startOfDayInZone(nextDay(f.to), zone) : undefined,
      };
  }
}
