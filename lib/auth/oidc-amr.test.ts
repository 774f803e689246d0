import { describe, expect, it } from "vitest";

import { amrIsMultiFactor, oidcSessionComplete } from "./oidc-amr";

describe("amr evaluation (RFC 8176)", () => {
  it("recognises what common providers send", () => {
    expect(amrIsMultiFactor(["pwd", "mfa"])).toBe(true); // Microsoft Entra ID
    expect(amrIsMultiFactor(["pwd", "otp", "mfa"])).toBe(true); // Okta
    expect(amrIsMultiFactor(["hwk", "user"])).toBe(false); // a passkey alone: one kind (possession)
    expect(amrIsMultiFactor(["pwd", "otp"])).toBe(true); // two kinds
    expect(amrIsMultiFactor(["hwk", "fpt"])).toBe(true);
    expect(amrIsMultiFactor(["pwd"])).toBe(false);
    expect(amrIsMultiFactor(["pwd", "kba"])).toBe(false); // two knowledge factors are still one kind
    expect(amrIsMultiFactor(["MFA"])).toBe(true);
  });

  it("has no opinion without a usable claim", () => {
    for (const amr of [undefined, null, "mfa", [], [1, 2], {}]) expect(amrIsMultiFactor(amr)).toBeNull();
  });

  it("an admin is complete only on the IdP's word of several factors; others always", () => {
    expect(oidcSessionComplete("admin", ["pwd", "mfa"])).toBe(true);
    expect(oidcSessionComplete("admin", ["pwd"])).toBe(false);
    expect(oidcSessionComplete("admin", undefined)).toBe(false);
    expect(oidcSessionComplete("support", ["pwd"])).toBe(true);
    expect(oidcSessionComplete("staff", undefined)).toBe(true);
  });
});
