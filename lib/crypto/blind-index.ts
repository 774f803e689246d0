import "server-only";

// HMAC-SHA256 blind indexes for exact-match search over encrypted fields (SECURITY.md DP-2).
// Values are normalised first so "Jane.Doe@Example.com " and "jane.doe@example.com" meet; the purpose is mixed
// into the MAC so an email index can never be matched against a name index.
import { createHmac } from "node:crypto";

/** "recovery-code": second-factor recovery codes are stored only as this keyed hash (lib/auth/second-factor.ts). */
export type BlindIndexPurpose = "email" | "mobile" | "name" | "recovery-code";

export function blindIndex(purpose: BlindIndexPurpose, normalised: string, key: Buffer): string {
  return createHmac("sha256", key).update(`${purpose}:${normalised}`, "utf8").digest("base64url").slice(0, 32);
}

export function normaliseEmail(input: string): string | undefined {
  const v = input.trim().toLowerCase();
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) && v.length <= 254 ? v : undefined;
}

/**
 * Australian mobiles in any common format → E.164 (+614XXXXXXXX).
 * Accepts "0412 345 678", "0412-345-678", "(04) 1234 5678", "+61 412 345 678", "61412345678", "412345678".
 * Other E.164 numbers (+<country><number>) are kept as they are so foreign mobiles still match exactly.
 */
export function normaliseMobile(input: string): string | undefined {
  const trimmed = input.trim();
  if (!/^[+(\d][\d\s().-]*$/.test(trimmed)) return undefined;
  const digits = trimmed.replace(/\D/g, "");
  if (trimmed.startsWith("+") && !digits.startsWith("61")) {
    return digits.length >= 8 && digits.length <= 15 ? `+${digits}` : undefined;
  }
  let national = digits;
  if (national.startsWith("61")) national = national.slice(2);
  if (national.startsWith("0")) national = national.slice(1);
  return /^4\d{8}$/.test(national) ? `+61${national}` : undefined;
}

/** Name words: lower-case, accents folded, split on anything that is not a letter, apostrophe or digit. */
export function nameWords(...parts: (string | null | undefined)[]): string[] {
  const words = new Set<string>();
  for (const part of parts) {
    if (!part) continue;
    for (const w of part
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase()
      .split(/[^\p{L}\p{N}']+/u)) {
      const word = w.replace(/^'+|'+$/g, "");
      if (word.length > 0) words.add(word);
    }
  }
  return [...words];
}
