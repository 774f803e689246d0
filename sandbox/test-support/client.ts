// A tiny HTTP client for the sandbox tests: Basiq calls with a cached token, and control calls.
import { startSandbox, type Sandbox, type SandboxOptions } from "../server";

/** Parsed JSON bodies in tests are read field by field; a loose type keeps the assertions readable. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;

export interface Reply {
  status: number;
  headers: Headers;
  body: Loose;
  text: string;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** false: send no Authorization header. A string: use it as the bearer token. Default: a fresh cached token. */
  token?: string | false;
  signal?: AbortSignal;
}

export class SandboxClient {
  private token: string | null = null;

  constructor(
    readonly base: string,
    readonly apiKey = "sandbox-key",
  ) {}

  async request(path: string, options: CallOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (options.token !== false)
      headers.authorization = `Bearer ${options.token ?? (await this.accessToken())}`;
    const response = await fetch(`${this.base}${path}`, {
      method: options.method ?? "GET",
      headers,
      body: options.body,
      signal: options.signal,
    });
    const text = await response.text();
    let body: Loose = undefined;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    }
    return { status: response.status, headers: response.headers, body, text };
  }

  get(path: string, options: CallOptions = {}): Promise<Reply> {
    return this.request(path, options);
  }

  post(path: string, options: CallOptions = {}): Promise<Reply> {
    return this.request(path, { ...options, method: "POST" });
  }

  delete(path: string, options: CallOptions = {}): Promise<Reply> {
    return this.request(path, { ...options, method: "DELETE" });
  }

  /** POST /token as Basiq documents it; `overrides` lets a test break one part. */
  requestToken(
    overrides: { authorization?: string | null; version?: string | null; body?: string } = {},
  ): Promise<Reply> {
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
    const authorization =
      overrides.authorization === undefined ? `Basic ${this.apiKey}` : overrides.authorization;
    const version = overrides.version === undefined ? "3.0" : overrides.version;
    if (authorization !== null) headers.authorization = authorization;
    if (version !== null) headers["basiq-version"] = version;
    return this.request("/token", {
      method: "POST",
      headers,
      body: overrides.body ?? "scope=SERVER_ACCESS",
      token: false,
    });
  }

  async accessToken(): Promise<string> {
    if (this.token) return this.token;
    const reply = await this.requestToken();
    if (reply.status !== 200) throw new Error(`POST /token answered ${reply.status}: ${reply.text}`);
    this.token = reply.body.access_token as string;
    return this.token;
  }

  forgetToken(): void {
    this.token = null;
  }

  async control(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<Reply> {
    return this.request(`/__sandbox/${path}`, {
      method,
      token: false,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** POST /__sandbox/reset, which also revokes every token: the cached one is dropped. */
  async reset(): Promise<void> {
    const reply = await this.control("POST", "reset");
    if (reply.status !== 200) throw new Error(`Reset failed: ${reply.text}`);
    this.forgetToken();
  }

  async fault(fault: Record<string, unknown>): Promise<string> {
    const reply = await this.control("POST", "faults", fault);
    if (reply.status !== 200) throw new Error(`Fault rejected: ${reply.text}`);
    return reply.body.id as string;
  }

  /** POST /__sandbox/clock: the Basiq routes' clock moves forward (running jobs finish). */
  async advanceClock(seconds: number): Promise<void> {
    const reply = await this.control("POST", "clock", { advanceSeconds: seconds });
    if (reply.status !== 200) throw new Error(`Clock not advanced: ${reply.text}`);
  }

  async stats(): Promise<Record<string, number>> {
    return (await this.control("GET", "stats")).body as Record<string, number>;
  }

  async userIds(offset = 0, limit = 1000): Promise<string[]> {
    return (await this.control("GET", `users?offset=${offset}&limit=${limit}`)).body.ids as string[];
  }
}

export interface TestSandbox {
  sandbox: Sandbox;
  client: SandboxClient;
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  const sandbox = await startSandbox({ port: 0, ...options });
  return { sandbox, client: new SandboxClient(sandbox.url, options.apiKey ?? "sandbox-key") };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
