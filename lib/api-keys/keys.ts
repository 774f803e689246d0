import "server-only";

// Machine API keys for the partner's back end (issue 17 §3). A key is 32 random bytes (base64url) after a `bqk_`
// prefix, shown once at creation; only its SHA-256 hash is stored (a key has 256 bits of entropy, so a fast hash is
// enough: nothing to brute-force), with its first characters to recognise it by. Each key has one scope,
// `user-check` (POST /api/v1/users/{userId}/check) and opens nothing else: pages and server actions read the staff
// session only. Creating and revoking keys is admin-only and audited; so is every call made with a key.
import { createHash, randomBytes } from "node:crypto";

import { and, desc, eq, isNull } from "drizzle-orm";

import { recordAudit } from "@/lib/audit";
import { requirePermission } from "@/lib/auth/session";
import { getDb, type Database } from "@/lib/db";
import { apiKeys } from "@/lib/db/schema";
import { NotFoundError } from "@/lib/errors";

export const API_KEY_SCOPE = "user-check";
const KEY_PREFIX = "bqk_";
/** `bqk_` + 43 base64url characters. */
export const API_KEY_PATTERN = /^bqk_[A-Za-z0-9_-]{43}$/;

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export interface ApiKeyDTO {
  id: string;
  name: string;
  /** The first characters, e.g. `bqk_Ab12…`, to recognise it by. */
  prefix: string;
  scope: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const toDTO = (row: typeof apiKeys.$inferSelect): ApiKeyDTO => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scope: row.scope,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
});

export async function listApiKeys(): Promise<ApiKeyDTO[]> {
  await requirePermission("apiKeys.manage");
  const db = await getDb();
  const rows = await db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt));
  return rows.map(toDTO);
}

/** Creates a key and returns it in clear, once: it cannot be shown again. */
export async function createApiKey(name: string): Promise<{ key: string; apiKey: ApiKeyDTO }> {
  const caller = await requirePermission("apiKeys.manage");
  const db = await getDb();
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const [row] = await db
    .insert(apiKeys)
    .values({ name, prefix: `${key.slice(0, KEY_PREFIX.length + 4)}…`, keyHash: hashApiKey(key), scope: API_KEY_SCOPE, createdBy: caller.id })
    .returning();
  await recordAudit({
    actor: { id: caller.id, email: caller.email, role: caller.role },
    action: "api_key.create",
    outcome: "success",
    details: { keyId: row!.id, keyName: name, scope: API_KEY_SCOPE },
  });
  return { key, apiKey: toDTO(row!) };
}

export async function revokeApiKey(id: string): Promise<ApiKeyDTO> {
  const caller = await requirePermission("apiKeys.manage");
  const db = await getDb();
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  if (!row) throw new NotFoundError("That active API key");
  await recordAudit({
    actor: { id: caller.id, email: caller.email, role: caller.role },
    action: "api_key.revoke",
    outcome: "success",
    details: { keyId: row.id, keyName: row.name },
  });
  return toDTO(row);
}

export interface AuthenticatedKey {
  id: string;
  name: string;
  scope: string;
}

/** The active key `presented` stands for (any scope; the caller checks it), or null. Records its use. */
export async function authenticateApiKey(db: Database, presented: string): Promise<AuthenticatedKey | null> {
  if (!API_KEY_PATTERN.test(presented)) return null;
  const [row] = await db
    .update(apiKeys)
    .set({ lastUsedAt: new Date() })
    .where(and(eq(apiKeys.keyHash, hashApiKey(presented)), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id, name: apiKeys.name, scope: apiKeys.scope });
  return row ?? null;
}
