// What e2e/leaks.spec.ts looks for in every response body and in the server log, as pure functions (checked
// against the product's own crypto in test/leak-scan.test.ts). Written independently of lib/crypto on purpose:
// the test must not trust the code it checks, only agree with it on the formats.
import { createHmac } from "node:crypto";

export interface Finding {
  what: string;
  /** A short excerpt around the hit, secrets cut so the report itself does not become the leak. */
  near: string;
}

// ---- blind indexes (same formats as lib/crypto/blind-index.ts) ----

export type Purpose = "email" | "mobile" | "name";

export function blindIndexOf(purpose: Purpose, normalised: string, key: Buffer): string {
  return createHmac("sha256", key).update(`${purpose}:${normalised}`, "utf8").digest("base64url").slice(0, 32);
}

export const normaliseEmail = (v: string): string => v.trim().toLowerCase();

/** AU mobiles → +614XXXXXXXX; other E.164 numbers kept as digits with "+". */
export function normaliseMobile(v: string): string | undefined {
  const trimmed = v.trim();
  const digits = trimmed.replace(/\D/g, "");
  if (trimmed.startsWith("+") && !digits.startsWith("61")) return digits.length >= 8 ? `+${digits}` : undefined;
  let national = digits;
  if (national.startsWith("61")) national = national.slice(2);
  if (national.startsWith("0")) national = national.slice(1);
  return /^4\d{8}$/.test(national) ? `+61${national}` : undefined;
}

export function nameWordsOf(...parts: (string | null | undefined)[]): string[] {
  const words = new Set<string>();
  for (const part of parts) {
    for (const w of (part ?? "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().split(/[^\p{L}\p{N}']+/u)) {
      const word = w.replace(/^'+|'+$/g, "");
      if (word) words.add(word);
    }
  }
  return [...words];
}

// ---- the needles ----

const ANCHOR = 16;
const RUN = /[A-Za-z0-9+/_=-]{16,}/g;

/**
 * Many random secrets (issued tokens, blind indexes) at once: each is known by a 16-character anchor taken from
 * its random part, and a body is searched by sliding a 16-character window over its base64-ish runs. One pass
 * per body however many secrets there are.
 */
export class AnchorSet {
  private readonly anchors = new Map<string, string>();

  add(label: string, randomPart: string): void {
    if (randomPart.length < ANCHOR) throw new Error(`${label}: too short to anchor`);
    this.anchors.set(randomPart.slice(0, ANCHOR), label);
  }

  get size(): number {
    return this.anchors.size;
  }

  scan(body: string): Finding[] {
    const found: Finding[] = [];
    for (const m of body.matchAll(RUN)) {
      const run = m[0];
      for (let i = 0; i + ANCHOR <= run.length; i++) {
        const label = this.anchors.get(run.slice(i, i + ANCHOR));
        if (label) found.push({ what: label, near: excerpt(body, m.index + i, ANCHOR) });
      }
    }
    return found;
  }
}

export interface FixedSecret {
  label: string;
  value: string;
}

/** Every encoding of a key a careless line could print: base64, base64url, hex, URL-encoded base64. */
export function keyForms(label: string, key: Buffer): FixedSecret[] {
  const forms = new Set([key.toString("base64"), key.toString("base64url"), key.toString("hex"), encodeURIComponent(key.toString("base64"))]);
  return [...forms].map((value) => ({ label, value }));
}

export function scanFixed(body: string, secrets: FixedSecret[]): Finding[] {
  const found: Finding[] = [];
  for (const s of secrets) {
    const at = body.indexOf(s.value);
    if (at >= 0) found.push({ what: s.label, near: excerpt(body, at, s.value.length) });
  }
  return found;
}

/** Ciphertexts as lib/crypto/field-encryption.ts writes them: v1.<keyId>.<nonce>.<ciphertext+tag>. */
export function scanCiphertexts(body: string, keyIds: string[]): Finding[] {
  const found: Finding[] = [];
  const generic = /\bv1\.[A-Za-z0-9_-]{1,16}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22,}/g;
  for (const m of body.matchAll(generic)) found.push({ what: "ciphertext", near: excerpt(body, m.index, m[0].length) });
  for (const id of keyIds) {
    const at = body.indexOf(`v1.${id}.`);
    if (at >= 0 && !found.length) found.push({ what: `ciphertext prefix v1.${id}.`, near: excerpt(body, at, 8) });
  }
  return found;
}

/** Things that only a raw database row or a credential would carry. */
export function scanRawRows(body: string): Finding[] {
  const found: Finding[] = [];
  const patterns: [string, RegExp][] = [
    ["database column of an encrypted field", /\b(email_?enc|mobile_?enc|name_?enc|email_?idx|mobile_?idx|word_?idx)\b/i],
    ["password hash", /\bscrypt\$\d+\$\d+\$\d+\$|password_?hash/i],
    ["bearer token (JWT)", /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/],
    // a credential after the scheme: long and with a digit (so prose such as "Basic information" is not one)
    ["Authorization header value", /\b(Bearer|Basic) (?=[^\s"'<]*\d)[A-Za-z0-9._~+/=-]{12,}/],
  ];
  for (const [what, re] of patterns) {
    const m = re.exec(body);
    if (m) found.push({ what, near: excerpt(body, m.index, m[0].length) });
  }
  return found;
}

// ---- personal data ----

/**
 * Unmasked e-mails and mobiles of known end users. E-mails: every address-looking run, tried with every start in
 * its local part (so "xjane@…" still finds "jane@…"); mobiles: every digit run that normalises to a known AU
 * mobile, however it is spaced or prefixed. `%40` counts as "@" (an address in a URL).
 */
export class PiiSet {
  private readonly emails = new Map<string, string>();
  private readonly mobiles = new Map<string, string>();

  add(owner: string, email: string | null | undefined, mobile: string | null | undefined): void {
    if (email) this.emails.set(normaliseEmail(email), owner);
    const m = mobile ? normaliseMobile(mobile) : undefined;
    if (m) this.mobiles.set(m, owner);
  }

  get size(): { emails: number; mobiles: number } {
    return { emails: this.emails.size, mobiles: this.mobiles.size };
  }

  /** Hits as { value, owner } (each mobile once per body) so a caller can allow some (a legitimate reveal). */
  find(body: string): { kind: "email" | "mobile"; value: string; owner: string; near: string }[] {
    const hits: { kind: "email" | "mobile"; value: string; owner: string; near: string }[] = [];
    const text = body.replace(/%40/gi, "@");
    for (const m of text.matchAll(/[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g)) {
      const candidate = m[0].toLowerCase();
      const at = candidate.indexOf("@");
      const domainParts = candidate.slice(at + 1).split(".");
      search: for (let start = 0; start < at; start++) {
        for (let end = domainParts.length; end >= 2; end--) {
          const value = `${candidate.slice(start, at)}@${domainParts.slice(0, end).join(".")}`;
          const owner = this.emails.get(value);
          if (owner) {
            hits.push({ kind: "email", value, owner, near: excerpt(text, m.index, m[0].length) });
            break search;
          }
        }
      }
    }
    // Any spaced or punctuated digit run, then the plain AU shapes (in case a run swallowed its neighbours).
    for (const re of [/\+?\(?\d[\d\s().-]{7,17}\d/g, /(?<!\d)(?:\+?61|0)?\s?4\d{2}\s?\d{3}\s?\d{3}(?!\d)/g]) {
      for (const m of body.matchAll(re)) {
        const value = normaliseMobile(m[0]);
        const owner = value ? this.mobiles.get(value) : undefined;
        if (value && owner && !hits.some((h) => h.kind === "mobile" && h.value === value)) {
          hits.push({ kind: "mobile", value, owner, near: excerpt(body, m.index, m[0].length) });
        }
      }
    }
    return hits;
  }
}

/** ±40 characters of context with the hit itself shortened: enough to find the page, not enough to reuse. */
export function excerpt(body: string, at: number, length: number): string {
  const before = body.slice(Math.max(0, at - 40), at);
  const hit = body.slice(at, at + length);
  const after = body.slice(at + length, at + length + 40);
  const shown = hit.length > 12 ? `${hit.slice(0, 6)}…${hit.slice(-2)}` : hit;
  return `${before}[${shown}]${after}`.replace(/\s+/g, " ");
}
