import "server-only";

import { env } from "@/lib/env";
import { formatDateTimeWithZone } from "@/lib/format";

import { DateTime } from "./date-time";

/** Server components: a date in CONSOLE_TIME_ZONE (client components take `timeZone` as a prop and use DateTime). */
export function When(props: { value: Date | string | number | null | undefined; relative?: boolean; className?: string; empty?: string }) {
  return <DateTime {...props} timeZone={env().consoleTimeZone} />;
}

/** Server components, inside text (titles, alerts): the absolute time in CONSOLE_TIME_ZONE with the zone named. */
export function formatWhen(value: Date | string | number | null | undefined): string {
  return formatDateTimeWithZone(value, env().consoleTimeZone);
}
