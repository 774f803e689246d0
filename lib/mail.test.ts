import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { resetEnvForTests } from "@/lib/env";
import { startCapturingSmtp, type CapturingSmtp } from "@/test/smtp";

import { mailConfigured, sendMail } from "./mail";

let smtp: CapturingSmtp;

beforeAll(async () => {
  smtp = await startCapturingSmtp();
});
afterAll(async () => {
  delete process.env.SMTP_URL;
  delete process.env.SMTP_FROM;
  resetEnvForTests();
  await smtp.close();
});

describe("sendMail", () => {
  it("says not-configured without SMTP_URL, and sends nothing", async () => {
    delete process.env.SMTP_URL;
    resetEnvForTests();
    expect(mailConfigured()).toBe(false);
    expect(await sendMail({ to: "a@corp.example", subject: "s", text: "t" })).toEqual({ sent: false, reason: "not-configured" });
  });

  it("delivers through SMTP_URL from SMTP_FROM", async () => {
    process.env.SMTP_URL = smtp.url;
    process.env.SMTP_FROM = "Basiq console <console@corp.example>";
    resetEnvForTests();
    expect(await sendMail({ to: "ann@corp.example", subject: "Hello there", text: "Line one\nLine two" })).toEqual({ sent: true });
    const m = smtp.messages.at(-1)!;
    expect(m).toMatchObject({ from: "console@corp.example", to: ["ann@corp.example"] });
    expect(m.raw).toContain("Subject: Hello there");
    expect(m.raw).toContain("Line two");
  });

  it("reports a failure (server down) without throwing", async () => {
    process.env.SMTP_URL = "smtp://127.0.0.1:1";
    process.env.SMTP_FROM = "console@corp.example";
    resetEnvForTests();
    expect(await sendMail({ to: "ann@corp.example", subject: "s", text: "t" })).toEqual({ sent: false, reason: "failed" });
  });
});
