import "server-only";

// AES-256-GCM field encryption (SECURITY.md DP-1).
// Stored form: "v1.<keyId>.<base64url nonce>.<base64url ciphertext+tag>". The key id travels with the value so
// keys rotate: new writes use the current key, reads accept any key still listed in ENCRYPTION_PREVIOUS_KEYS.
// Associated data binds a value to its table, column and row, so a ciphertext copied into another row fails.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import type { EncryptionKey } from "@/lib/env";

const VERSION = "v1";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface FieldContext {
  table: string;
  column: string;
  rowId: string;
}

export interface Keyring {
  current: EncryptionKey;
  previous: EncryptionKey[];
}

export class DecryptionError extends Error {
  constructor(reason: string) {
    super(`Cannot decrypt field: ${reason}`);
    this.name = "DecryptionError";
  }
}

function aad(ctx: FieldContext): Buffer {
  return Buffer.from(`${ctx.table}\u0000${ctx.column}\u0000${ctx.rowId}`, "utf8");
}

export function encryptField(plaintext: string, ctx: FieldContext, keyring: Keyring): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", keyring.current.key, nonce);
  cipher.setAAD(aad(ctx));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [VERSION, keyring.current.id, nonce.toString("base64url"), body.toString("base64url")].join(".");
}

export function decryptField(stored: string, ctx: FieldContext, keyring: Keyring): string {
  const parts = stored.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION) throw new DecryptionError("unknown format");
  const [, keyId, nonceText, bodyText] = parts as [string, string, string, string];
  const key = [keyring.current, ...keyring.previous].find((k) => k.id === keyId);
  if (!key) throw new DecryptionError(`key "${keyId}" is not configured`);
  const nonce = Buffer.from(nonceText, "base64url");
  const body = Buffer.from(bodyText, "base64url");
  if (nonce.length !== NONCE_BYTES || body.length < TAG_BYTES) throw new DecryptionError("truncated value");
  const decipher = createDecipheriv("aes-256-gcm", key.key, nonce);
  decipher.setAAD(aad(ctx));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    throw new DecryptionError("authentication failed");
  }
}

/** The key id a stored value was written with (for re-encryption after a rotation). */
export function keyIdOf(stored: string): string | undefined {
  const parts = stored.split(".");
  return parts.length === 4 ? parts[1] : undefined;
}
