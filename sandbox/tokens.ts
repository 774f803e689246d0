// Access tokens issued by POST /token. They look like Basiq's (a JWT) but are opaque to the sandbox: a token
// is valid while it is in this store and not expired. Revocation empties the store.
import { randomBytes, randomUUID } from "node:crypto";

export type TokenCheck = "valid" | "expired" | "unknown";

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

/** How many issued tokens GET /__sandbox/tokens remembers (a test run issues a few hundred at most). */
export const TOKEN_HISTORY_LIMIT = 10_000;

export class TokenStore {
  private readonly expiries = new Map<string, number>();
  private issuedCount = 0;
  // Every token ever handed out, revoked or reset ones included: leak tests look for all of them in the
  // console's responses and logs. Kept apart from `expiries` so reset() and revokeAll() do not hide a leak.
  private readonly history: string[] = [];
  private historyDropped = 0;

  issue(ttlSeconds: number, now: number): string {
    this.prune(now);
    const issuedAt = Math.floor(now / 1000);
    const token = [
      base64url({ alg: "HS256", typ: "JWT" }),
      base64url({
        scope: "SERVER_ACCESS",
        iat: issuedAt,
        exp: issuedAt + ttlSeconds,
        jti: randomUUID(),
        iss: "basiq-sandbox",
      }),
      randomBytes(32).toString("base64url"),
    ].join(".");
    this.expiries.set(token, now + ttlSeconds * 1000);
    this.issuedCount++;
    this.history.push(token);
    if (this.history.length > TOKEN_HISTORY_LIMIT) {
      this.history.shift();
      this.historyDropped++;
    }
    return token;
  }

  check(token: string, now: number): TokenCheck {
    const expiresAt = this.expiries.get(token);
    if (expiresAt === undefined) return "unknown";
    return now < expiresAt ? "valid" : "expired";
  }

  /** Every token issued so far stops working now; new ones can still be issued. */
  revokeAll(): void {
    this.expiries.clear();
  }

  /** Revoke everything and zero the counters. */
  reset(): void {
    this.expiries.clear();
    this.issuedCount = 0;
  }

  /** Every token issued since the sandbox started (oldest dropped beyond TOKEN_HISTORY_LIMIT). */
  everIssued(): { tokens: string[]; dropped: number } {
    return { tokens: [...this.history], dropped: this.historyDropped };
  }

  get issued(): number {
    return this.issuedCount;
  }

  active(now: number): number {
    let count = 0;
    for (const expiresAt of this.expiries.values()) if (now < expiresAt) count++;
    return count;
  }

  /** Expired tokens are kept for an hour (so a late call hears "expired", not "unknown"), then dropped. */
  private prune(now: number): void {
    for (const [token, expiresAt] of this.expiries) {
      if (expiresAt + 3_600_000 < now) this.expiries.delete(token);
    }
  }
}
