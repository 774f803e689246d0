// Issue 14 items 5 and 11: what proxy.ts answers before Next.js would answer a 500, and the same-origin rule.
import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";

import { proxy } from "@/proxy";

import { actionTextBodyDecodes, originMatchesHost, pathDecodes } from "./request-checks";

describe("pathDecodes", () => {
  it.each(["/users/%zz", "/users/%", "/jobs/%ff", "/api/jobs/%ED%A0%80", "/users/u/connections/%E0%A4%A"])("refuses %s", (p) => {
    expect(pathDecodes(p)).toBe(false);
  });
  it.each(["/", "/users/abc-123", "/users/%20x", "/connectors/AU00001/openbanking", "/users/%C3%A9"])("accepts %s", (p) => {
    expect(pathDecodes(p)).toBe(true);
  });
});

describe("originMatchesHost", () => {
  it("only the console's own origin", () => {
    expect(originMatchesHost("http://console.test", "console.test")).toBe(true);
    expect(originMatchesHost("https://console.test:8443", "console.test:8443")).toBe(true);
    for (const origin of [null, "", "null", "https://evil.example", "http://console.test.evil.example", "http://%zz", "file://console.test", "http://console.test:81"]) {
      expect(originMatchesHost(origin, "console.test")).toBe(false);
    }
    expect(originMatchesHost("http://console.test", null)).toBe(false);
  });
});

describe("actionTextBodyDecodes", () => {
  it("accepts what React encodes for plain arguments", () => {
    expect(actionTextBodyDecodes(JSON.stringify([{ staffId: "s-1", role: "admin" }]))).toBe(true);
    expect(actionTextBodyDecodes(JSON.stringify([{ a: "$$dollar", b: "$undefined", c: 1, d: null, e: [true] }]))).toBe(true);
    expect(actionTextBodyDecodes("[]")).toBe(true);
  });
  it("refuses what Next.js cannot decode", () => {
    for (const body of ["{not json", "", "42", '{"a":1}', JSON.stringify(["$@0", "$K1", "$Q2", "$D2026", "$n1"]), JSON.stringify([{ x: "$F1" }]), JSON.stringify([{ $ref: 1 }])]) {
      expect(actionTextBodyDecodes(body)).toBe(false);
    }
  });
});

describe("proxy.ts", () => {
  const action = (body: string, headers: Record<string, string> = {}) =>
    new NextRequest("http://console.test/staff", {
      method: "POST",
      body,
      headers: { host: "console.test", origin: "http://console.test", "next-action": "abc", "content-type": "text/plain;charset=UTF-8", ...headers },
    });

  it("answers a malformed escape in the path with 400 and the security headers (Next.js answered 500)", async () => {
    const res = await proxy(new NextRequest("http://console.test/users/%zz"));
    expect(res.status).toBe(400);
    expect(res.headers.get("content-security-policy")).toMatch(/default-src/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("answers a request it fails on with 500 and the security headers, not Next's bare 500 (issue 14 item 11)", async () => {
    // A body that breaks while the proxy reads it (a client hanging up mid-upload): the old proxy threw, and
    // Next.js answered 500 without a CSP, nosniff or frame options.
    const broken = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new TypeError("connection reset"));
      },
    });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await proxy(
      new NextRequest("http://console.test/staff", {
        method: "POST",
        headers: { "next-action": "abc", "content-type": "text/plain;charset=UTF-8", origin: "http://console.test" },
        body: broken,
        duplex: "half",
      } as ConstructorParameters<typeof NextRequest>[1]),
    );
    expect(res.status).toBe(500);
    expect(res.headers.get("content-security-policy")).toMatch(/default-src 'self'/);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(await res.text()).toBe("Internal error.");
    expect(errors.mock.calls.flat().join(" ")).not.toMatch(/connection reset|console\.test/);
    errors.mockRestore();
  });

  it("answers an action body over 1 MB with 413 and an undecodable one with 400", async () => {
    expect((await proxy(action(JSON.stringify(["z".repeat(1024 * 1024)])))).status).toBe(413);
    expect((await proxy(action("{not json"))).status).toBe(400);
    expect((await proxy(action(JSON.stringify(["$@0", "$K1"])))).status).toBe(400);
    const ok = await proxy(action(JSON.stringify([{ staffId: "x" }])));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-middleware-next")).toBe("1");
  });

  it("drops a foreign Origin from an action request, so the action refuses it (not Next's 500); keeps its own", async () => {
    const foreign = await proxy(action("[]", { origin: "https://evil.example" }));
    const overridden = (foreign.headers.get("x-middleware-override-headers") ?? "").split(",");
    expect(overridden).not.toContain("origin");
    const own = await proxy(action("[]"));
    expect((own.headers.get("x-middleware-override-headers") ?? "").split(",")).toContain("origin");
    expect(own.headers.get("x-middleware-request-origin")).toBe("http://console.test");
  });
});
