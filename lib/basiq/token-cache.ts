import "server-only";

// One SERVER_ACCESS token per client, in memory only.
//
// Life of a token (defaults, for Basiq's 3600 s tokens):
//   0 ─────────── 30 min ──────────────────────── 59 min ──── 60 min
//   fresh: served    stale: served, and one          blocking: callers wait for the new one
//                    background refresh starts
// Every path that needs a new token goes through one shared in-flight request (single-flight), so 200
// concurrent callers at cold start, or 50 callers hit by the same 401, cause one POST /token. A refusal of our
// credentials (`rememberFailure`, e.g. Basiq's 404 "check your API key") is remembered for `failureMemoMs`
// (5 s by default): every caller in that window gets the same error without a request, so a stampede of pages
// or a sweep does not hammer /token with a key that will not work. Other failures (outages) are not remembered:
// the callers' own retries and backoff handle those.

export interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
}

export interface TokenCacheOptions {
  /** Performs one POST /token. */
  requestToken: () => Promise<IssuedToken>;
  now: () => number;
  /** Age after which a background refresh starts (capped at half the token's lifetime). */
  refreshAgeMs: number;
  /** Final stretch of the token's life during which callers wait for a new one (capped at a quarter of it). */
  blockingWindowMs: number;
  /** After a failed background refresh, wait this long before starting another (the current token still works). */
  backgroundRetryCooldownMs?: number;
  onBackgroundRefreshError?: (error: unknown) => void;
  /** Which failed token requests to remember for `failureMemoMs` (default: none). */
  rememberFailure?: (error: unknown) => boolean;
  /** How long a remembered failure is answered without asking again. Default 5000. */
  failureMemoMs?: number;
}

interface CachedToken {
  value: string;
  obtainedAt: number;
  expiresAt: number;
  refreshAt: number;
  blockAt: number;
}

export interface TokenMetrics {
  tokenAgeSeconds: number | null;
  tokenExpiresInSeconds: number | null;
  tokenRequests: { total: number; last24h: number; timestamps: string[] };
  callersServed: number;
  callersServedPerTokenRequest: number | null;
  /** The last token request failed (and none succeeded since): when, and the error (not for display). */
  lastFailure: { at: string; error: unknown } | null;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_REMEMBERED_REQUESTS = 10_000;

export class TokenCache {
  private current: CachedToken | undefined;
  private inflight: Promise<CachedToken> | undefined;
  private lastBackgroundFailureAt: number | undefined;
  private rememberedFailure: { error: unknown; at: number } | undefined;
  private lastFailure: { error: unknown; at: number } | undefined;
  private readonly requestTimes: number[] = [];
  private totalRequests = 0;
  private callersServed = 0;

  constructor(private readonly options: TokenCacheOptions) {}

  /** A token to use now. Waits only at cold start, in the token's last minute, or after it expired. */
  async get(): Promise<string> {
    this.callersServed++;
    const now = this.options.now();
    const token = this.current;
    if (token && now < token.blockAt) {
      if (now >= token.refreshAt) this.refreshInBackground(now);
      return token.value;
    }
    return (await this.shared()).value;
  }

  /**
   * Called after a 401 made with `staleToken`. Replaces it once: callers that got the 401 with the same token
   * share one request, and a caller whose token was already replaced gets the replacement without a new request.
   */
  async forceRefresh(staleToken: string): Promise<string> {
    const token = this.current;
    if (token && token.value !== staleToken && this.options.now() < token.expiresAt) return token.value;
    if (token?.value === staleToken) this.current = undefined;
    return (await this.shared()).value;
  }

  metrics(): TokenMetrics {
    const now = this.options.now();
    this.pruneRequestTimes(now);
    const token = this.current;
    return {
      tokenAgeSeconds: token ? Math.floor((now - token.obtainedAt) / 1000) : null,
      tokenExpiresInSeconds: token ? Math.max(0, Math.floor((token.expiresAt - now) / 1000)) : null,
      tokenRequests: {
        total: this.totalRequests,
        last24h: this.requestTimes.length,
        timestamps: this.requestTimes.map((t) => new Date(t).toISOString()),
      },
      callersServed: this.callersServed,
      callersServedPerTokenRequest:
        this.totalRequests === 0 ? null : Math.round((this.callersServed / this.totalRequests) * 100) / 100,
      lastFailure: this.lastFailure
        ? { at: new Date(this.lastFailure.at).toISOString(), error: this.lastFailure.error }
        : null,
    };
  }

  private shared(): Promise<CachedToken> {
    const remembered = this.rememberedFailure;
    if (!this.inflight && remembered) {
      if (this.options.now() - remembered.at < (this.options.failureMemoMs ?? 5_000)) {
        return Promise.reject(remembered.error);
      }
      this.rememberedFailure = undefined;
    }
    this.inflight ??= this.requestOnce().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private refreshInBackground(now: number): void {
    if (this.inflight) return;
    const cooldown = this.options.backgroundRetryCooldownMs ?? 5_000;
    if (this.lastBackgroundFailureAt !== undefined && now - this.lastBackgroundFailureAt < cooldown) return;
    this.shared().then(
      () => {
        this.lastBackgroundFailureAt = undefined;
      },
      (error: unknown) => {
        this.lastBackgroundFailureAt = this.options.now();
        this.options.onBackgroundRefreshError?.(error);
      },
    );
  }

  private async requestOnce(): Promise<CachedToken> {
    // Lifetimes count from when we asked, not when the answer arrived, so we never overestimate them.
    const startedAt = this.options.now();
    this.totalRequests++;
    this.requestTimes.push(startedAt);
    this.pruneRequestTimes(startedAt);

    let issued: IssuedToken;
    try {
      issued = await this.options.requestToken();
    } catch (error) {
      this.lastFailure = { error, at: this.options.now() };
      if (this.options.rememberFailure?.(error)) this.rememberedFailure = this.lastFailure;
      throw error;
    }
    this.rememberedFailure = undefined;
    this.lastFailure = undefined;
    const lifetimeMs = issued.expiresInSeconds * 1000;
    const expiresAt = startedAt + lifetimeMs;
    const token: CachedToken = {
      value: issued.accessToken,
      obtainedAt: startedAt,
      expiresAt,
      // Caps keep short-lived tokens (tests, or a changed expires_in) from being "stale" or "blocking" at birth.
      refreshAt: startedAt + Math.min(this.options.refreshAgeMs, lifetimeMs / 2),
      blockAt: expiresAt - Math.min(this.options.blockingWindowMs, lifetimeMs / 4),
    };
    this.current = token;
    return token;
  }

  private pruneRequestTimes(now: number): void {
    let drop = 0;
    while (drop < this.requestTimes.length && this.requestTimes[drop]! <= now - DAY_MS) drop++;
    drop = Math.max(drop, this.requestTimes.length - MAX_REMEMBERED_REQUESTS);
    if (drop > 0) this.requestTimes.splice(0, drop);
  }
}
