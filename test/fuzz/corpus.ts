// Deterministic fuzz corpus (SECURITY.md BL-1): malformed values for every kind of input field, and whole-input
// garbage. Seeded, so a failing case has the same number on every run and can be replayed by its label.
// Used by test/fuzz/*.test.ts (server actions and route handlers, in-process) and e2e/fuzz.spec.ts (over HTTP).

export interface FuzzValue {
  label: string;
  value: unknown;
}

/** mulberry32: tiny, fast and good enough to pick characters and lengths reproducibly. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MB = 1024 * 1024;

/** Values of the wrong type for a field that expects a string. */
export function wrongTypes(valid: string): FuzzValue[] {
  const pollutedProto = JSON.parse('{"__proto__":{"role":"admin","isAdmin":true}}') as unknown;
  const pollutedCtor = JSON.parse('{"constructor":{"prototype":{"role":"admin"}}}') as unknown;
  let deep: unknown = valid;
  for (let i = 0; i < 200; i++) deep = { value: deep };
  let deepArray: unknown = valid;
  for (let i = 0; i < 200; i++) deepArray = [deepArray];
  return [
    { label: "number 0", value: 0 },
    { label: "number -1", value: -1 },
    { label: "number 1.5", value: 1.5 },
    { label: "number 2^53", value: 2 ** 53 },
    { label: "number 1e308", value: 1e308 },
    { label: "NaN", value: Number.NaN },
    { label: "Infinity", value: Number.POSITIVE_INFINITY },
    { label: "-Infinity", value: Number.NEGATIVE_INFINITY },
    { label: "bigint", value: 12345678901234567890n },
    { label: "true", value: true },
    { label: "false", value: false },
    { label: "null", value: null },
    { label: "undefined", value: undefined },
    { label: "empty array", value: [] },
    { label: "array of the valid value", value: [valid] },
    { label: "array of two valid values", value: [valid, valid] },
    { label: "nested empty array", value: [[]] },
    { label: "empty object", value: {} },
    { label: "object wrapping the valid value", value: { value: valid } },
    { label: "object with toString", value: { toString: () => valid } },
    { label: "object with valueOf", value: { valueOf: () => valid } },
    { label: "String object", value: Object(valid) as unknown },
    { label: "null-prototype object", value: Object.create(null) as unknown },
    { label: "__proto__ pollution", value: pollutedProto },
    { label: "constructor.prototype pollution", value: pollutedCtor },
    { label: "200-deep object", value: deep },
    { label: "200-deep array", value: deepArray },
    { label: "Date", value: new Date(0) },
    { label: "invalid Date", value: new Date(Number.NaN) },
    { label: "Map", value: new Map([["value", valid]]) },
    { label: "Set", value: new Set([valid]) },
    { label: "Uint8Array", value: new TextEncoder().encode(valid) },
    { label: "Blob", value: new Blob([valid]) },
    { label: "function", value: () => valid },
    { label: "symbol", value: Symbol(valid) },
    { label: "RegExp", value: /.*/ },
    { label: "Error", value: new Error(valid) },
    { label: "Promise", value: Promise.resolve(valid) },
  ];
}

export const blankStrings: FuzzValue[] = [
  { label: "empty", value: "" },
  { label: "space", value: " " },
  { label: "spaces", value: "     " },
  { label: "tab newline", value: "\t\n\r" },
  { label: "nbsp", value: "\u00a0" },
  { label: "ideographic space", value: "\u3000" },
  { label: "zero-width space", value: "\u200b" },
  { label: "BOM", value: "\ufeff" },
  { label: "NUL", value: "\u0000" },
];

export function hugeStrings(valid: string): FuzzValue[] {
  return [
    { label: "1 MB of a", value: "a".repeat(MB) },
    { label: "1 MB repeated valid value", value: valid.repeat(Math.ceil(MB / Math.max(1, valid.length))) },
    { label: "1 MB of é", value: "é".repeat(MB / 2) },
    { label: "1 MB of digits", value: "1".repeat(MB) },
    { label: "1 MB of emoji", value: "😀".repeat(MB / 4) },
    { label: "1 MB of NUL", value: "\u0000".repeat(MB) },
    { label: "1 MB of newlines", value: "\n".repeat(MB) },
    { label: "valid value + 1 MB", value: valid + "x".repeat(MB) },
    { label: "65 chars", value: "a".repeat(65) },
    { label: "255 chars", value: "b".repeat(255) },
    { label: "1025 chars", value: "c".repeat(1025) },
    { label: "64 KiB", value: "d".repeat(65536) },
  ];
}

export function unicodeStrings(valid: string): FuzzValue[] {
  return [
    { label: "RTL override", value: `\u202e${valid}` },
    { label: "RTL override inside", value: `${valid.slice(0, 3)}\u202e${valid.slice(3)}` },
    { label: "LTR/RTL marks", value: `\u200e${valid}\u200f` },
    { label: "zero-width joiner inside", value: `${valid.slice(0, 2)}\u200d${valid.slice(2)}` },
    { label: "zero-width space inside", value: `${valid.slice(0, 2)}\u200b${valid.slice(2)}` },
    { label: "soft hyphen inside", value: `${valid.slice(0, 2)}\u00ad${valid.slice(2)}` },
    { label: "NUL inside", value: `${valid.slice(0, 2)}\u0000${valid.slice(2)}` },
    { label: "NUL suffix", value: `${valid}\u0000` },
    { label: "emoji", value: "😀" },
    { label: "emoji suffix", value: `${valid}😀` },
    { label: "family emoji ZWJ sequence", value: "👨‍👩‍👧‍👦" },
    { label: "flag", value: "🇦🇺" },
    { label: "lone high surrogate", value: "\ud800" },
    { label: "lone low surrogate", value: "\udfff" },
    { label: "lone surrogate suffix", value: `${valid}\ud800` },
    { label: "reversed surrogate pair", value: "\udc00\ud800" },
    { label: "combining marks", value: `${valid}\u0301\u0301\u0301` },
    { label: "zalgo", value: "z\u0300\u0301\u0302\u0303\u0304a\u0305\u0306l\u0307g\u0308o" },
    { label: "fullwidth", value: valid.replace(/[A-Za-z0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)) },
    { label: "Cyrillic homoglyph", value: valid.replace(/a/g, "а").replace(/e/g, "е").replace(/o/g, "о") + "а" },
    { label: "Turkish dotless i", value: `ı${valid}` },
    { label: "Greek final sigma", value: "ς" },
    { label: "CJK", value: "用户身份证" },
    { label: "Arabic", value: "مستخدم" },
    { label: "Hebrew", value: "משתמש" },
    { label: "Devanagari", value: "उपयोगकर्ता" },
    { label: "private use", value: "\ue000\uf8ff" },
    { label: "non-character", value: "\uffff\ufffe" },
    { label: "replacement char", value: "\ufffd" },
    { label: "line separator", value: `${valid}\u2028` },
    { label: "paragraph separator", value: `${valid}\u2029` },
    { label: "C1 control", value: `${valid}\u0085` },
    { label: "escape sequence", value: `\u001b[31m${valid}\u001b[0m` },
    { label: "bell and backspace", value: `${valid}\u0007\u0008` },
    { label: "vertical tab", value: `${valid}\u000b` },
    { label: "CRLF injection", value: `${valid}\r\nSet-Cookie: x=1` },
    { label: "mathematical bold", value: "𝐚𝐝𝐦𝐢𝐧" },
    { label: "Kelvin sign", value: "\u212a" },
    { label: "ligature", value: "ﬁ" },
    { label: "tag characters", value: `${valid}\u{e0041}\u{e0042}` },
  ];
}

export const sqlFragments: FuzzValue[] = [
  "' OR '1'='1",
  "' OR 1=1 --",
  "'; DROP TABLE staff; --",
  "'; DELETE FROM audit_events; --",
  "\" OR \"\"=\"",
  "1; SELECT pg_sleep(5)",
  "1' AND pg_sleep(5)--",
  "admin'--",
  "%' --",
  "' UNION SELECT password_hash FROM staff --",
  "$1",
  "E'\\x00'",
  "\\",
  "'",
  "\"",
  "`",
  ";",
  "--",
  "/* comment */",
  "1 OR 1=1",
  "' || (select version()) || '",
  "'); TRUNCATE audit_events; --",
  "%",
  "_",
  "%_%",
  "\\x27",
].map((s) => ({ label: `sql ${JSON.stringify(s)}`, value: s }));

export const htmlFragments: FuzzValue[] = [
  "<script>alert(1)</script>",
  "\"><img src=x onerror=alert(1)>",
  "'><svg onload=alert(1)>",
  "javascript:alert(1)",
  "<iframe src=//evil.example>",
  "{{7*7}}",
  "${7*7}",
  "#{7*7}",
  "<!--",
  "]]>",
  "&lt;b&gt;",
  "<b>bold</b>",
  "data:text/html,<script>alert(1)</script>",
  "<a href=\"//evil.example\">x</a>",
  "</textarea><script>alert(1)</script>",
].map((s) => ({ label: `html ${JSON.stringify(s)}`, value: s }));

export const pathFragments: FuzzValue[] = [
  "../../etc/passwd",
  "..",
  ".",
  "/",
  "//",
  "..%2f..%2fetc%2fpasswd",
  "%2e%2e%2f",
  "..\\..\\windows\\win.ini",
  "/etc/passwd",
  "file:///etc/passwd",
  "http://evil.example/",
  "//evil.example",
  "?x=1",
  "#frag",
  "a/b",
  "a?b",
  "a#b",
  "%00",
  "%",
  "%zz",
  "~",
  "*",
].map((s) => ({ label: `path ${JSON.stringify(s)}`, value: s }));

/** Random strings over characters an attacker likes, of random lengths (seeded). */
export function randomStrings(seed: number, count: number): FuzzValue[] {
  const next = rng(seed);
  const alphabet = ["'", '"', "<", ">", "&", "%", "/", "\\", " ", "\u0000", "\u202e", "😀", "é", ";", "-", "=", "{", "}", "$", "\n", "a", "Z", "0", "_"];
  const out: FuzzValue[] = [];
  for (let i = 0; i < count; i++) {
    const length = Math.floor(next() * 80);
    let s = "";
    for (let j = 0; j < length; j++) s += alphabet[Math.floor(next() * alphabet.length)]!;
    // Never a well-formed id by accident: the random strings are for "malformed" cases.
    if (/^[A-Za-z0-9_-]*$/.test(s.trim())) s += "'";
    out.push({ label: `random #${i}`, value: s });
  }
  return out;
}

/** Ids one step away from a valid opaque id that are no longer well-formed. */
export function malformedIds(valid: string): FuzzValue[] {
  const mid = Math.floor(valid.length / 2);
  return [
    { label: "id too long (65)", value: valid.padEnd(65, "x") },
    { label: "id with space inside", value: `${valid.slice(0, mid)} ${valid.slice(mid)}` },
    { label: "id with dot", value: `${valid}.` },
    { label: "id with slash", value: `${valid}/x` },
    { label: "id with percent", value: `${valid}%20` },
    { label: "id with plus", value: `${valid}+` },
    { label: "id with colon", value: `${valid}:1` },
    { label: "id with at", value: `@${valid}` },
    { label: "id with quote", value: `${valid}'` },
    { label: "id with asterisk", value: `${valid.slice(0, mid)}*` },
    { label: "id with comma", value: `${valid},${valid}` },
    { label: "id with newline inside", value: `${valid.slice(0, mid)}\n${valid.slice(mid)}` },
    { label: "id with accent", value: `${valid.slice(0, mid)}é${valid.slice(mid + 1)}` },
    { label: "id + query", value: `${valid}?all=1` },
    { label: "id + path", value: `${valid}/../${valid}` },
  ];
}

/** Ids that are well-formed but wrong: they reach the data-access layer and must be refused there. */
export function nearValidIds(valid: string): FuzzValue[] {
  const mid = Math.floor(valid.length / 2);
  const flip = (c: string) => (c === "a" ? "b" : c === "0" ? "1" : c === "-" ? "_" : c === "A" ? "B" : "a");
  return [
    { label: "one char off", value: `${valid.slice(0, mid)}${flip(valid[mid]!)}${valid.slice(mid + 1)}` },
    { label: "last char off", value: `${valid.slice(0, -1)}${flip(valid.at(-1)!)}` },
    { label: "one char short", value: valid.slice(0, -1) },
    { label: "one char long", value: `${valid}0` },
    { label: "upper-case", value: valid.toUpperCase() === valid ? valid.toLowerCase() : valid.toUpperCase() },
    { label: "reversed", value: [...valid].reverse().join("") === valid ? `${valid}z` : [...valid].reverse().join("") },
    { label: "64 chars", value: valid.padEnd(64, "0").slice(0, 64) === valid ? `${valid}1` : valid.padEnd(64, "0").slice(0, 64) },
    { label: "single char", value: "a" },
    { label: "all zeros", value: "0".repeat(valid.length) },
    { label: "dashes only", value: "-".repeat(Math.min(64, valid.length)) },
  ].filter((v) => v.value !== valid);
}

/** A UUID one hex digit off, upper-case, without dashes, ...: for staff ids. */
export function uuidVariants(valid: string): { malformed: FuzzValue[]; wellFormed: FuzzValue[] } {
  const hexFlip = (c: string) => (c === "0" ? "1" : "0");
  return {
    malformed: [
      { label: "uuid without dashes", value: valid.replace(/-/g, "") },
      { label: "uuid one char short", value: valid.slice(0, -1) },
      { label: "uuid one char long", value: `${valid}0` },
      { label: "uuid with g", value: `${valid.slice(0, -1)}g` },
      { label: "uuid in braces", value: `{${valid}}` },
      { label: "uuid urn", value: `urn:uuid:${valid}` },
      { label: "uuid with spaces", value: ` ${valid} ` },
      { label: "uuid wrong version digit", value: `${valid.slice(0, 14)}9${valid.slice(15)}` },
      { label: "opaque id instead of uuid", value: "user-1234" },
      { label: "uuid with quote", value: `${valid}'` },
    ],
    wellFormed: [
      { label: "uuid last digit off", value: `${valid.slice(0, -1)}${hexFlip(valid.at(-1)!)}` },
      { label: "uuid first digit off", value: `${hexFlip(valid[0]!)}${valid.slice(1)}` },
      { label: "random v4 uuid", value: "3b241101-e2bb-4255-8caf-4136c566a962" },
    ],
  };
}

/**
 * The string corpus every field gets: blanks, huge, unicode, SQL, HTML, path fragments and seeded random junk.
 * `valid` seeds the variants built from a valid value (so that e.g. "valid + NUL" is tried).
 */
export function stringCorpus(valid: string, seed: number, randomCount = 40): FuzzValue[] {
  return [
    ...blankStrings,
    ...hugeStrings(valid),
    ...unicodeStrings(valid),
    ...sqlFragments,
    ...htmlFragments,
    ...pathFragments,
    ...randomStrings(seed, randomCount),
  ];
}

/** Everything for one string field: wrong types and the string corpus. */
export function fieldCorpus(valid: string, seed: number, randomCount?: number): FuzzValue[] {
  return [...wrongTypes(valid), ...stringCorpus(valid, seed, randomCount)];
}

/** Garbage in place of the whole input object. */
export function wholeInputGarbage(valid: Record<string, string>): FuzzValue[] {
  const form = (entries: [string, string | Blob][]) => {
    const f = new FormData();
    for (const [k, v] of entries) f.append(k, v);
    return f;
  };
  const validEntries = Object.entries(valid);
  const firstKey = validEntries[0]?.[0] ?? "value";
  return [
    { label: "undefined input", value: undefined },
    { label: "null input", value: null },
    { label: "string input", value: "hello" },
    { label: "JSON string of the valid input", value: JSON.stringify(valid) },
    { label: "number input", value: 42 },
    { label: "boolean input", value: true },
    { label: "array input", value: [valid] },
    { label: "array of entries", value: validEntries },
    { label: "1 MB string input", value: "x".repeat(MB) },
    { label: "Map input", value: new Map(validEntries) },
    { label: "valid + __proto__ key", value: { ...valid, ...(JSON.parse('{"__proto__":{"role":"admin"}}') as object), [firstKey]: 1 } },
    { label: "valid with every field an array", value: Object.fromEntries(validEntries.map(([k, v]) => [k, [v]])) },
    { label: "valid with every field null", value: Object.fromEntries(validEntries.map(([k]) => [k, null])) },
    { label: "valid with every field a number", value: Object.fromEntries(validEntries.map(([k]) => [k, 1])) },
    { label: "keys upper-cased", value: Object.fromEntries(validEntries.map(([k, v]) => [k.toUpperCase(), v])) },
    { label: "keys with spaces", value: Object.fromEntries(validEntries.map(([k, v]) => [` ${k}`, v])) },
    { label: "FormData empty-string fields", value: form(validEntries.map(([k]) => [k, ""])) },
    { label: "FormData blob fields", value: form(validEntries.map(([k, v]) => [k, new Blob([v])])) },
    { label: "FormData __proto__ entry", value: form([["__proto__", "x"], ...validEntries.slice(1)]) },
    { label: "FormData with only junk keys", value: form([["$ACTION_ID_x", "1"], ["1_$ACTION_REF_1", "x"], ["constructor", "x"]]) },
    { label: "FormData first field huge", value: form([[firstKey, "y".repeat(MB)], ...validEntries.slice(1)]) },
    { label: "FormData first field NUL", value: form([[firstKey, "\u0000"], ...validEntries.slice(1)]) },
    { label: "FormData first field SQL", value: form([[firstKey, "' OR '1'='1"], ...validEntries.slice(1)]) },
  ];
}

/** Garbage for actions that take no fields (`{}`): anything but an empty object or empty form. */
export function noFieldGarbage(seed: number): FuzzValue[] {
  const form = new FormData();
  form.append("__proto__", "x");
  const form2 = new FormData();
  form2.append("force", "true");
  const strings = stringCorpus("x", seed, 20).map((v) => ({ label: `string input ${v.label}`, value: v.value }));
  const keyed = [...sqlFragments, ...htmlFragments, ...unicodeStrings("key")].map((v) => ({
    label: `object with key ${v.label}`,
    value: { [String(v.value) || "k"]: 1 },
  }));
  const isEmptyPlainObject = (v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v) && [Object.prototype, null].includes(Object.getPrototypeOf(v)) && Reflect.ownKeys(v).length === 0;
  return [
    // {} and a null-prototype {} are the valid input; everything else must be refused.
    ...wrongTypes("x").filter((v) => !isEmptyPlainObject(v.value)),
    ...strings,
    ...keyed,
    { label: "object with force", value: { force: true } },
    { label: "object with __proto__ key", value: JSON.parse('{"__proto__":{"x":1}}') as unknown },
    { label: "FormData __proto__", value: form },
    { label: "FormData force", value: form2 },
  ];
}

/** The contracts (as the README and SECURITY.md BL-1 state them), for `classify`. */
export const contracts = {
  /** Basiq ids: letters, digits, - and _, 1–64, surrounding white space ignored. */
  opaqueId: (v: unknown) => typeof v === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(v.trim()),
  uuid: (v: unknown) => typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i.test(v),
  /** Anything that might pass as an e-mail address: dropped from the malformed cases. */
  maybeEmail: (v: unknown) => typeof v === "string" && v.trim().length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim()),
  oneOf:
    (...allowed: string[]) =>
    (v: unknown) =>
      typeof v === "string" && allowed.includes(v),
  /** A display name: 1–120 characters after trimming, printable (no control, bidi-override or lone surrogate). */
  displayName: (v: unknown) =>
    typeof v === "string" &&
    v.trim().length >= 1 &&
    v.trim().length <= 120 &&
    !/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/.test(v.trim()) &&
    v.isWellFormed(),
  /** A new password: empty (= generate one) or 12–1024 characters. */
  newPassword: (v: unknown) => v === undefined || v === null || v === "" || (typeof v === "string" && v.length >= 12 && v.length <= 1024),
  /** An id list holds at least one line with a cell that looks like an id. */
  idList: (v: unknown) =>
    typeof v === "string" &&
    v.split(/\r?\n/).some((line) => line.split(/[,;\t]/).some((cell) => /^[A-Za-z0-9_-]{1,64}$/.test(cell.trim().replace(/^"(.*)"$/, "$1").trim()))),
};
