// The leak crawl's scanner (e2e/leak-scan.ts) keeps its own copy of the blind-index formats: if it drifted from
// lib/crypto, the crawl would look for values that never exist and pass for nothing. This pins them together,
// and shows each detector firing on what it is meant to find.
import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { AnchorSet, blindIndexOf, keyForms, nameWordsOf, normaliseEmail, normaliseMobile, PiiSet, scanCiphertexts, scanFixed, scanRawRows } from "@/e2e/leak-scan";
import { blindIndex, nameWords, normaliseEmail as productEmail, normaliseMobile as productMobile } from "@/lib/crypto/blind-index";
import { encryptField } from "@/lib/crypto/field-encryption";
import { maskEmail, maskMobile } from "@/lib/directory/mask";

describe("leak scanner", () => {
  const key = randomBytes(32);

  it("computes the same blind indexes as the product", () => {
    for (const email of ["Jane.Doe@Example.com ", "x@y.co"]) {
      expect(blindIndexOf("email", normaliseEmail(email), key)).toBe(blindIndex("email", productEmail(email)!, key));
    }
    for (const mobile of ["+61412345678", "0412 345 678", "+44 7700 900123"]) {
      expect(blindIndexOf("mobile", normaliseMobile(mobile)!, key)).toBe(blindIndex("mobile", productMobile(mobile)!, key));
    }
    expect(nameWordsOf("Zoë", "O'Brien-Smith", null)).toEqual(nameWords("Zoë", "O'Brien-Smith", null));
  });

  it("finds anchored secrets anywhere in a base64-ish run, and nothing else", () => {
    const set = new AnchorSet();
    const index = blindIndexOf("name", "smith", key);
    set.add("blind index", index);
    expect(set.scan(`{"x":"${index}"}`)).toHaveLength(1);
    expect(set.scan(`prefix${index}suffix`)).toHaveLength(1);
    expect(set.scan(`{"x":"${blindIndexOf("name", "smyth", key)}"}`)).toHaveLength(0);
  });

  it("finds keys in every encoding, ciphertexts and credential shapes", () => {
    const forms = keyForms("k", key);
    expect(scanFixed(`a ${key.toString("hex")} b`, forms)).toHaveLength(1);
    expect(scanFixed(`a ${key.toString("base64url")} b`, forms).length).toBeGreaterThanOrEqual(1);
    const c = encryptField("jane@example.com", { table: "t", column: "c", rowId: "r" }, { current: { id: "dev1", key }, previous: [] });
    expect(scanCiphertexts(`"${c}"`, ["dev1"])).toHaveLength(1);
    expect(scanRawRows('{"email_idx":"x"}')).toHaveLength(1);
    expect(scanRawRows("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzY29wZSI6IlMifQ.abcdefghijklmnopqrstu")).not.toHaveLength(0);
    expect(scanRawRows("Basic information about Bearer authentication")).toHaveLength(0);
  });

  it("finds unmasked e-mails and mobiles in any format, never their masked forms", () => {
    const pii = new PiiSet();
    pii.add("u1", "jane.doe7@example.com", "+61412345678");
    for (const body of [
      "<td>jane.doe7@example.com</td>",
      '{"email":"JANE.DOE7@EXAMPLE.COM"}',
      "/users?q=jane.doe7%40example.com",
      "<td>0412 345 678</td>",
      '"+61412345678"',
      "61 412 345 678",
    ]) {
      expect(pii.find(body), body).toHaveLength(1);
    }
    expect(pii.find(`${maskEmail("jane.doe7@example.com")} ${maskMobile("+61412345678")}`)).toEqual([]);
    expect(pii.find("ane.doe7@example.com 1700000412345678 0412 345 679")).toEqual([]);
  });
});
