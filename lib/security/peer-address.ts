import "server-only";

// Stamps every HTTP request this process receives with its socket's remote address (lib/security/client-ip.ts
// explains why: Next.js gives application code no other way to read it). Installed once from instrumentation.ts,
// before Next.js reads the request; the header is overwritten, so a client cannot choose its value.
import http from "node:http";
import https from "node:https";

import { PEER_ADDRESS_HEADER } from "./client-ip";

const INSTALLED = Symbol.for("basiq-console.peer-address");

export function installPeerAddressHeader(): void {
  type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;
  for (const proto of [http.Server.prototype, https.Server.prototype] as unknown as Array<{ emit: Emit; [INSTALLED]?: boolean }>) {
    if (proto[INSTALLED]) continue;
    const emit = proto.emit;
    proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]): boolean {
      const req = args[0];
      if (event === "request" && req instanceof http.IncomingMessage) {
        req.headers[PEER_ADDRESS_HEADER] = req.socket?.remoteAddress ?? "";
      }
      return Reflect.apply(emit, this, [event, ...args]) as boolean;
    };
    proto[INSTALLED] = true;
  }
}
