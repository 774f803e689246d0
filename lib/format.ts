// The console's one formatter for dates, times, counts and money. Client-safe (no server-only, no env):
// the time zone is CONSOLE_TIME_ZONE, read on the server (lib/env.ts) and passed down as a value.
export const DEFAULT_TIME_ZONE = "Australia/Sydney";
const LOCALE = "en-AU";

type DateInput = Date | string | number | null | undefined;

/** True when `zone` is an IANA time zone this runtime's Intl knows (e.g. "Australia/Sydney", "UTC"). */
export function isTimeZone(zone: string): boolean {
  if (zone.trim() === "") return false;
  try {
    new Intl.DateTimeFormat(LOCALE, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function toDate(value: DateInput): Date | null {
  if (value === null || value === undefined || value === "") return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(timeZone: string): Intl.DateTimeFormat {
  let f = dateTimeFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "short", timeZone });
    dateTimeFormats.set(timeZone, f);
  }
  return f;
}

/** "1 Dec 2026, 9:41 am" in the given zone; "—" for no date. */
export function formatDateTime(value: DateInput, timeZone: string): string {
  const d = toDate(value);
  return d ? dateTimeFormat(timeZone).format(d) : "—";
}

// Building an Intl.DateTimeFormat costs about 1 ms (ICU), using one about 0.04 ms: one per zone, kept (issue 15:
// a page with a job history built dozens per render, one per date's tooltip).
const zoneNameFormats = new Map<string, Intl.DateTimeFormat>();
function zoneNameFormat(timeZone: string): Intl.DateTimeFormat {
  let f = zoneNameFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE, { timeZone, timeZoneName: "short" });
    zoneNameFormats.set(timeZone, f);
  }
  return f;
}

/** The zone's short name at a moment, e.g. "AEDT" (or "GMT+11" where Intl has no abbreviation). */
export function timeZoneAbbreviation(timeZone: string, at: DateInput = Date.now()): string {
  const d = toDate(at) ?? new Date();
  const part = zoneNameFormat(timeZone)
    .formatToParts(d)
    .find((p) => p.type === "timeZoneName");
  return part?.value ?? timeZone;
}

/** The absolute time with the zone named: "1 Dec 2026, 9:41 am AEDT". Used for tooltips and copied text. */
export function formatDateTimeWithZone(value: DateInput, timeZone: string): string {
  const d = toDate(value);
  return d ? `${dateTimeFormat(timeZone).format(d)} ${timeZoneAbbreviation(timeZone, d)}` : "—";
}

/** "5 min ago", "in 2 h", "3 d ago"; "never" for no date. */
export function formatRelative(value: DateInput, now: number = Date.now()): string {
  if (value === null || value === undefined) return "never";
  const d = toDate(value);
  if (!d) return "—";
  const seconds = Math.round((now - d.getTime()) / 1000);
  const abs = Math.abs(seconds);
  const [n, unit] =
    abs < 60
      ? [abs, "s"]
      : abs < 3600
        ? [Math.round(abs / 60), "min"]
        : abs < 86400
          ? [Math.round(abs / 3600), "h"]
          : [Math.round(abs / 86400), "d"];
  return seconds >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
}

/** ISO 8601 for `<time dateTime>`; undefined for no date. */
export function isoDateTime(value: DateInput): string | undefined {
  return toDate(value)?.toISOString();
}

const countFormat = new Intl.NumberFormat(LOCALE);
/** 75210 → "75,210". */
export function formatCount(n: number): string {
  return countFormat.format(n);
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Money as Australians read it: "$75,210.43" for AUD, "USD 12.00" style for others; "—" when unknown. */
export function formatMoney(amount: string | number | null | undefined, currency: string | null | undefined = "AUD"): string {
  if (amount === null || amount === undefined || amount === "") return "—";
  const n = typeof amount === "number" ? amount : Number(amount);
  if (!Number.isFinite(n)) return "—";
  const code = currency && /^[A-Za-z]{3}$/.test(currency) ? currency.toUpperCase() : "AUD";
  let f = moneyFormats.get(code);
  if (!f) {
    f = new Intl.NumberFormat(LOCALE, { style: "currency", currency: code });
    moneyFormats.set(code, f);
  }
  return f.format(n);
}
