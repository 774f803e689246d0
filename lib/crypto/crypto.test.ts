import { describe, expect, it } from "vitest";

import { blindIndex, nameWords, normaliseEmail, normaliseMobile } from "./blind-index";
import { decryptField, DecryptionError, encryptField, keyIdOf, type Keyring } from "./field-encryption";

const k = (id: string, b: number) => ({ id, key: Buffer.alloc(32, b) });
const ctx = { table: "basiq_users", column: "email", rowId: "user-1" };

describe("field encryption", () => {
  const keyring: Keyring = { current: k("k2", 2), previous: [k("k1", 1)] };

  it("round-trips and never stores the plaintext", () => {
    const stored = encryptField("jane@example.com", ctx, keyring);
    expect(stored).not.toContain("jane");
    expect(keyIdOf(stored)).toBe("k2");
    expect(decryptField(stored, ctx, keyring)).toBe("jane@example.com");
  });

  it("uses a fresh nonce every time", () => {
    expect(encryptField("same", ctx, keyring)).not.toBe(encryptField("same", ctx, keyring));
  });

  it("binds the value to its row and column", () => {
    const stored = encryptField("jane@example.com", ctx, keyring);
    expect(() => decryptField(stored, { ...ctx, rowId: "user-2" }, keyring)).toThrow(DecryptionError);
    expect(() => decryptField(stored, { ...ctx, column: "mobile" }, keyring)).toThrow(DecryptionError);
  });

  it("reads values written with a previous key after rotation, and refuses unknown keys", () => {
    const old = encryptField("old value", ctx, { current: k("k1", 1), previous: [] });
    expect(decryptField(old, ctx, keyring)).toBe("old value");
    expect(() => decryptField(old, ctx, { current: k("k3", 3), previous: [] })).toThrow(/not configured/);
  });

  it("detects tampering", () => {
    const stored = encryptField("value", ctx, keyring);
    const parts = stored.split(".");
    const body = Buffer.from(parts[3]!, "base64url");
    body[0] = body[0]! ^ 1;
    parts[3] = body.toString("base64url");
    expect(() => decryptField(parts.join("."), ctx, keyring)).toThrow(/authentication failed/);
  });
});

describe("blind indexes", () => {
  const key = Buffer.alloc(32, 5);

  it("normalises AU mobiles in every common format to E.164", () => {
    for (const input of ["0412 345 678", "0412-345-678", "(04) 1234 5678", "+61 412 345 678", "61412345678", "412345678", "+61412345678"]) {
      expect(normaliseMobile(input), input).toBe("+61412345678");
    }
    expect(normaliseMobile("02 9999 0000")).toBeUndefined();
    expect(normaliseMobile("hello")).toBeUndefined();
    expect(normaliseMobile("+44 7700 900123")).toBe("+447700900123");
  });

  it("normalises e-mails and rejects non-addresses", () => {
    expect(normaliseEmail("  Jane.Doe@Example.COM ")).toBe("jane.doe@example.com");
    expect(normaliseEmail("nope")).toBeUndefined();
  });

  it("splits names into folded lower-case words", () => {
    expect(nameWords("Zoë", "O'Brien-Smith", null)).toEqual(["zoe", "o'brien", "smith"]);
  });

  it("separates purposes and depends on the key", () => {
    expect(blindIndex("email", "a@b.co", key)).toBe(blindIndex("email", "a@b.co", key));
    expect(blindIndex("email", "smith", key)).not.toBe(blindIndex("name", "smith", key));
    expect(blindIndex("email", "a@b.co", key)).not.toBe(blindIndex("email", "a@b.co", Buffer.alloc(32, 6)));
  });
});
