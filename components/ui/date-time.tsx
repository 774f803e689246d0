// A date shown in the console's time zone (CONSOLE_TIME_ZONE, passed in from the server): the absolute time, or a
// relative one ("5 min ago") with the absolute time and zone in its tooltip. No hooks: usable on server and client.
import { formatDateTime, formatDateTimeWithZone, formatRelative, isoDateTime } from "@/lib/format";

export function DateTime({
  value,
  timeZone,
  relative = false,
  className,
  empty,
}: {
  value: Date | string | number | null | undefined;
  timeZone: string;
  relative?: boolean;
  className?: string;
  /** Shown when there is no date (default "—", or "never" for relative times). */
  empty?: string;
}) {
  const iso = isoDateTime(value);
  if (!iso) return <span className={className}>{empty ?? (relative ? "never" : "—")}</span>;
  return (
    <time dateTime={iso} title={formatDateTimeWithZone(value, timeZone)} className={className} suppressHydrationWarning>
      {relative ? formatRelative(value) : formatDateTime(value, timeZone)}
    </time>
  );
}
