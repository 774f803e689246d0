// A real OpenID Connect provider for tests (the oidc-provider package): discovery, the authorization code flow
// with PKCE, signed ID tokens. Test users carry groups and an `amr` list; the login step is a tiny form (pick a
// user) that a browser fills, or that an authorization request's `login_hint=<user id>` skips (for HTTP tests).
// Used by lib/auth/oidc-protocol.test.ts and by the e2e suite (e2e/idp-server.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import Provider from "oidc-provider";

export interface TestIdpUser {
  email: string;
  name: string;
  groups: string[];
  /** RFC 8176 methods the "login" reports, e.g. ["pwd", "otp"]. */
  amr: string[];
  emailVerified?: boolean;
}

export interface TestIdpOptions {
  /** 0 = any free port. */
  port: number;
  /** Host name in the issuer URL (default 127.0.0.1). */
  host?: string;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  users: Record<string, TestIdpUser>;
}

export interface TestIdp {
  issuer: string;
  users: Record<string, TestIdpUser>;
  close(): Promise<void>;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readBody(req));
}

export async function startTestIdp(options: TestIdpOptions): Promise<TestIdp> {
  // Created once the port is known (the issuer names it); the server's handlers read it from here.
  const ref: { provider?: Provider } = {};
  const users = options.users;

  async function finish(req: IncomingMessage, res: ServerResponse, accountId: string) {
    const p = ref.provider!;
    const details = await p.interactionDetails(req, res);
    const user = users[accountId];
    if (!user) {
      res.writeHead(400).end("unknown user");
      return;
    }
    const grant = new p.Grant({ accountId, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope ?? "openid"));
    const grantId = await grant.save();
    await p.interactionFinished(req, res, { login: { accountId, amr: user.amr }, consent: { grantId } }, { mergeWithLastSubmission: false });
  }

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string) {
    const p = ref.provider!;
    if (req.method === "POST") return finish(req, res, (await readForm(req)).get("user") ?? "");
    const details = await p.interactionDetails(req, res);
    const hint = details.params.login_hint;
    if (typeof hint === "string" && users[hint]) return finish(req, res, hint);
    const buttons = Object.entries(users)
      .map(([id, u]) => `<button type="submit" name="user" value="${escapeHtml(id)}">${escapeHtml(u.name)} (${escapeHtml(u.email)})</button>`)
      .join("<br>");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><title>Test IdP</title><h1>Test identity provider</h1><form method="post" action="/interaction/${escapeHtml(uid)}">${buttons}</form>`);
  }

  const server: Server = createServer((req, res) => {
    // Test control (this test server only): PUT /__test/users/<id>/groups with a JSON array changes a user's groups,
    // as an administrator removing someone from a group at the real provider would.
    const control = /^\/__test\/users\/([A-Za-z0-9_-]+)\/groups$/.exec(req.url ?? "");
    if (control && req.method === "PUT") {
      readBody(req).then((body) => {
        const user = users[control[1]!];
        const groups: unknown = JSON.parse(body || "null");
        if (!user || !Array.isArray(groups) || !groups.every((g) => typeof g === "string")) return void res.writeHead(400).end();
        user.groups = groups;
        res.writeHead(204).end();
      }, () => res.writeHead(400).end());
      return;
    }
    const m = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec((req.url ?? "").split("?")[0]!);
    if (m) {
      interaction(req, res, m[1]!).catch(() => {
        if (!res.headersSent) res.writeHead(500).end("interaction failed");
      });
      return;
    }
    ref.provider!.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(options.port, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://${options.host ?? "127.0.0.1"}:${port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    async findAccount(_ctx: unknown, id: string) {
      const user = users[id];
      if (!user) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: user.email, email_verified: user.emailVerified ?? true, name: user.name, groups: user.groups };
        },
      };
    },
    // amr under the openid scope: always in the ID token (Entra ID and Okta send it without asking).
    claims: { acr: null, auth_time: null, iss: null, sid: null, openid: ["sub", "amr"], email: ["email", "email_verified"], profile: ["name", "groups"] },
    // Claims in the ID token itself (next-auth reads the ID token), as Entra ID, Okta and Google do.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    cookies: { keys: ["test-idp-cookie-key-not-a-secret"] },
    pkce: { required: () => true },
    // Short-lived ID tokens, so a test can present one after it expired without outliving the sign-in cookies.
    ttl: { IdToken: 120 },
  });
  provider.proxy = false;
  ref.provider = provider;

  return {
    issuer,
    users,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
