import { describe, expect, it } from "vitest";

import { checkPasswordStrength } from "./password-strength";

describe("checkPasswordStrength (zxcvbn-ts)", () => {
  it("refuses short, common, patterned and personal passwords", () => {
    expect(checkPasswordStrength("short1!", [])).toEqual({ ok: false, message: "Use at least 12 characters." });
    for (const weak of ["password1234", "qwertyuiop12", "aaaaaaaaaaaa", "123456789012", "Password123!"]) {
      expect(checkPasswordStrength(weak, []).ok, weak).toBe(false);
    }
    expect(checkPasswordStrength("JaneDoeJaneDoe", ["jane.doe@corp.example", "Jane Doe"]).ok).toBe(false);
  });

  it("accepts a long random or passphrase-like password", () => {
    expect(checkPasswordStrength("c7Hq-Wv2p-Lz9m", [])).toEqual({ ok: true });
    expect(checkPasswordStrength("violet tractor quietly juggles", [])).toEqual({ ok: true });
  });
});
