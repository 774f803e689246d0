// Cron expressions for "every N minutes" settings (SWEEP_INTERVAL_MINUTES, CONNECTOR_REFRESH_MINUTES).

/**
 * Every `minutes`, as cron (UTC): exact when N divides an hour or N hours divide a day; otherwise the nearest
 * shorter interval that does. 0 (or less) = no schedule.
 */
export function everyMinutesCron(minutes: number): string | undefined {
  if (!(minutes > 0)) return undefined;
  if (minutes < 60) {
    const step = [30, 20, 15, 12, 10, 6, 5, 4, 3, 2, 1].find((d) => d <= minutes) ?? 1;
    return step === 1 ? "* * * * *" : `*/${step} * * * *`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours >= 24) return "0 0 * * *";
  const step = [12, 8, 6, 4, 3, 2, 1].find((d) => d <= hours) ?? 1;
  return step === 1 ? "0 * * * *" : `0 */${step} * * *`;
}
