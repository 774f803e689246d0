import { describe, expect, it } from "vitest";

import { everyMinutesCron } from "./cron";

describe("everyMinutesCron", () => {
  it("is exact where cron can say it, and rounds down to the nearest interval it can otherwise", () => {
    expect(everyMinutesCron(0)).toBeUndefined();
    expect(everyMinutesCron(1)).toBe("* * * * *");
    expect(everyMinutesCron(15)).toBe("*/15 * * * *");
    expect(everyMinutesCron(45)).toBe("*/30 * * * *");
    expect(everyMinutesCron(60)).toBe("0 * * * *");
    expect(everyMinutesCron(360)).toBe("0 */6 * * *");
    expect(everyMinutesCron(300)).toBe("0 */4 * * *");
    expect(everyMinutesCron(1440)).toBe("0 0 * * *");
    expect(everyMinutesCron(20_160)).toBe("0 0 * * *");
  });
});
