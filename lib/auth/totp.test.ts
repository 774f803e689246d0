// TOTP against RFC 6238 Appendix B (all three hash functions, 8 digits) and RFC 4226 Appendix D, plus the
// window and the base32 round trip our enrolment depends on.
import { describe, expect, it } from "vitest";

import { base32Decode, base32Encode, formatKey, generateTotpSecret, hotp, matchTotp, otpauthUri, timeStep, totp } from "./totp";

const seeds = {
  sha1: Buffer.from("12345678901234567890", "ascii"),
  sha256: Buffer.from("12345678901234567890123456789012", "ascii"),
  sha512: Buffer.from("1234567890123456789012345678901234567890123456789012345678901234", "ascii"),
};

// [unix seconds, sha1, sha256, sha512]
const rfc6238: [number, string, string, string][] = [
  [59, "94287082", "46119246", "90693936"],
  [1111111109, "07081804", "68084774", "25091201"],
  [1111111111, "14050471", "67062674", "99943326"],
  [1234567890, "89005924", "91819424", "93441116"],
  [2000000000, "69279037", "90698825", "38618901"],
  [20000000000, "65353130", "77737706", "47863826"],
];

describe("RFC 6238 test vectors", () => {
  for (const [seconds, sha1, sha256, sha512] of rfc6238) {
    it(`T=${seconds}`, () => {
      const step = timeStep(seconds * 1000);
      expect(hotp(seeds.sha1, step, 8, "sha1")).toBe(sha1);
      expect(hotp(seeds.sha256, step, 8, "sha256")).toBe(sha256);
      expect(hotp(seeds.sha512, step, 8, "sha512")).toBe(sha512);
    });
  }

  it("the 6-digit SHA-1 code is the last six digits of the 8-digit one", () => {
    const secret = base32Encode(seeds.sha1);
    expect(totp(secret, 59_000)).toBe("287082");
    expect(totp(secret, 1111111109_000)).toBe("081804");
  });
});

describe("RFC 4226 HOTP vectors", () => {
  const expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
  expected.forEach((code, counter) => it(`counter ${counter}`, () => expect(hotp(seeds.sha1, counter)).toBe(code)));
});

describe("base32", () => {
  it("matches RFC 4648 section 10", () => {
    const cases: [string, string][] = [["", ""], ["f", "MY"], ["fo", "MZXQ"], ["foo", "MZXW6"], ["foob", "MZXW6YQ"], ["fooba", "MZXW6YTB"], ["foobar", "MZXW6YTBOI"]];
    for (const [plain, encoded] of cases) {
      expect(base32Encode(Buffer.from(plain))).toBe(encoded);
      expect(base32Decode(encoded).toString()).toBe(plain);
    }
  });

  it("round-trips a generated 160-bit secret, also typed with spaces and in lower case", () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    expect(base32Decode(formatKey(secret).toLowerCase()).equals(base32Decode(secret))).toBe(true);
    expect(() => base32Decode("ABC1")).toThrow();
  });
});

describe("matchTotp", () => {
  const secret = base32Encode(seeds.sha1);
  const now = 1_700_000_000_000;
  const step = timeStep(now);
  const codeAt = (s: number) => hotp(seeds.sha1, s);

  it("accepts the current step and one either side, and says which step matched", () => {
    expect(matchTotp(secret, codeAt(step), now)).toBe(step);
    expect(matchTotp(secret, codeAt(step - 1), now)).toBe(step - 1);
    expect(matchTotp(secret, codeAt(step + 1), now)).toBe(step + 1);
  });

  it("refuses two steps away, malformed codes and another secret's code", () => {
    expect(matchTotp(secret, codeAt(step - 2), now)).toBeNull();
    expect(matchTotp(secret, codeAt(step + 2), now)).toBeNull();
    expect(matchTotp(secret, "12345", now)).toBeNull();
    expect(matchTotp(secret, "abcdef", now)).toBeNull();
    expect(matchTotp(generateTotpSecret(), codeAt(step), now)).toBeNull();
  });

  it("builds the otpauth URI authenticator apps read", () => {
    const uri = new URL(otpauthUri(secret, "ann@corp.example", "Basiq console"));
    expect(uri.protocol).toBe("otpauth:");
    expect(uri.host).toBe("totp");
    expect(decodeURIComponent(uri.pathname)).toBe("/Basiq console:ann@corp.example");
    expect(Object.fromEntries(uri.searchParams)).toEqual({ secret, issuer: "Basiq console", algorithm: "SHA1", digits: "6", period: "30" });
  });
});
