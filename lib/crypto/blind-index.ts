import "server-only";

// HMAC-SHA256 blind indexes for exact-match search over encrypted fields (SECURITY.md DP-2).
// Values are normalised first so "Jane.Doe@Example.com " and "jane.doe@example.com" meet; the purpose is mixed
// into the MAC so an email index can never be matched against a name index.
import { createHmac } from "node:crypto";

/** "recovery-code": second-factor recovery codes are stored only as this keyed hash (lib/auth/second-factor.ts). */
export type BlindIndexPurpose = "email" | "mobile" | "name" | "name-prefix" | "recovery-code";

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

/** Shortest name-word prefix that is indexed (and searched): two letters would say too little and match too much. */
export const NAME_PREFIX_MIN = 3;
/** Longest indexed prefix: a longer query word is matched as a whole word (the "name" index). */
export const NAME_PREFIX_MAX = 10;

/**
 * The prefixes of each name word that the "name-prefix" blind index stores: lengths NAME_PREFIX_MIN to
 * NAME_PREFIX_MAX (the whole word included when it fits), counted in characters. Words shorter than
 * NAME_PREFIX_MIN have none (they are found through the whole-word index only).
 */
export function namePrefixes(words: readonly string[]): string[] {
  const prefixes = new Set<string>();
  for (const word of words) {
    const chars = Array.from(word);
    for (let n = NAME_PREFIX_MIN; n <= Math.min(chars.length, NAME_PREFIX_MAX); n++) prefixes.add(chars.slice(0, n).join(""));
  }
  return [...prefixes];
}

/** Which index a query word is looked up in: its prefix index when it has a stored length, else the whole-word one. */
export function nameQueryPurpose(word: string): "name" | "name-prefix" {
  const n = Array.from(word).length;
  return n >= NAME_PREFIX_MIN && n <= NAME_PREFIX_MAX ? "name-prefix" : "name";
}
