import "server-only";

// The HTTP exchange under the Basiq transport: undici's request API (the library Node's own fetch is built on),
// read into the three things the transport uses — status, headers, body text. Node's fetch spends its time in
// WHATWG streams and Response objects: measured on the user page's four calls, about 0.7 ms of the event loop per
// call under load, where request() takes a fraction of it. Same semantics the transport relies on: no redirect is
// followed (request() follows none by default), no body is decompressed (nothing asks for an encoding), and the
// AbortSignal cuts the exchange (timeouts and a caller's abort).
import { request } from "undici";

import { outsideRequest } from "@/lib/async-context";

/** What the transport reads from an answer; global fetch's Response satisfies it (test stubs inject fetch). */
export interface BasiqResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface BasiqRequestInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  redirect: "manual";
}

export type BasiqFetch = (url: string, init: BasiqRequestInit) => Promise<BasiqResponse>;

type RawHeaders = Record<string, string | string[] | undefined>;

/** Case-insensitive reads of undici's lower-cased header object; repeated headers joined as fetch joins them. */
export function headerReader(raw: RawHeaders): BasiqResponse["headers"] {
  return {
    get(name: string): string | null {
      const value = raw[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(", ") : value;
    },
  };
}

export const undiciFetch: BasiqFetch = async (url, init) => {
  // The keep-alive socket a call may open outlives the request that made it: opened outside it
  // (lib/async-context.ts), so it does not keep that page view in memory.
  const answer = await outsideRequest(() =>
    request(url, {
      method: init.method as "GET",
      headers: init.headers,
      body: init.body,
      signal: init.signal,
    }),
  );
  const text = await answer.body.text();
  return { status: answer.statusCode, headers: headerReader(answer.headers), text: async () => text };
};
