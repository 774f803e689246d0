import "server-only";

// The console's configured crypto: field encryption with the env keyring, blind indexes with the env key.
import { env } from "@/lib/env";

import { blindIndex, type BlindIndexPurpose } from "./blind-index";
import { decryptField, encryptField, type FieldContext } from "./field-encryption";

export { normaliseEmail, normaliseMobile, nameWords, namePrefixes, nameQueryPurpose, NAME_PREFIX_MIN } from "./blind-index";
export { DecryptionError, type FieldContext } from "./field-encryption";

export function encrypt(plaintext: string, ctx: FieldContext): string {
  return encryptField(plaintext, ctx, env().encryption);
}

export function decrypt(stored: string, ctx: FieldContext): string {
  return decryptField(stored, ctx, env().encryption);
}

export function indexOf(purpose: BlindIndexPurpose, normalised: string): string {
  return blindIndex(purpose, normalised, env().encryption.blindIndexKey);
}
