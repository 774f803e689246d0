// An independent TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s) for the e2e suite, written apart from lib/auth/totp.ts
// so a bug there cannot hide itself: the console must accept what a real authenticator app computes.
import { createHmac } from "node:crypto";

function fromBase32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  const bits = [...text.toUpperCase().replace(/[^A-Z2-7]/g, "")].map((c) => alphabet.indexOf(c).toString(2).padStart(5, "0")).join("");
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The code an authenticator shows `offsetSteps` steps from now. */
export function totpNow(secret: string, offsetSteps = 0, nowMs = Date.now()): string {
  const counter = Math.floor(nowMs / 30_000) + offsetSteps;
  const msg = Buffer.alloc(8);
  msg.writeUInt32BE(Math.floor(counter / 2 ** 32), 0);
  msg.writeUInt32BE(counter >>> 0, 4);
  const mac = createHmac("sha1", fromBase32(secret)).update(msg).digest();
  const o = mac[19]! & 0xf;
  const n = ((mac[o]! & 0x7f) << 24) | (mac[o + 1]! << 16) | (mac[o + 2]! << 8) | mac[o + 3]!;
  return String(n % 1_000_000).padStart(6, "0");
}
