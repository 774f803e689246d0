import "server-only";

// The one way to write a server action (STYLE.md §5): parse the input with zod, check the permission from the
// database, run, and return an ActionResult. Server actions are public POST endpoints: nothing here trusts the
// client. Unknown errors are logged and turned into a generic message: no stack trace reaches the browser.
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";

import type { Permission } from "@/lib/auth/policy";
import { requirePermission, type CurrentStaff } from "@/lib/auth/session";
import { BasiqError } from "@/lib/basiq/errors";
import { ForbiddenError, NotFoundError, SecondFactorRequiredError, UnauthenticatedError, UserFacingError } from "@/lib/errors";
import { log } from "@/lib/log";

import type { ActionResult } from "./result";

export function toActionError(e: unknown, actionName: string): ActionResult<never> {
  unstable_rethrow(e);
  if (e instanceof SecondFactorRequiredError) return { ok: false, message: "Complete the second factor first." };
  if (e instanceof UnauthenticatedError) return { ok: false, message: "Your session has ended. Sign in again." };
  if (e instanceof ForbiddenError) return { ok: false, message: e.message };
  if (e instanceof NotFoundError || e instanceof UserFacingError) return { ok: false, message: e.message };
  if (e instanceof BasiqError) {
    return {
      ok: false,
      message: `Basiq could not complete the request (${e.code ?? e.status ?? "no answer"}). Reference: ${e.correlationId ?? "none"}.`,
    };
  }
  log.error({ action: actionName, err: e instanceof Error ? { name: e.name, message: e.message } : String(e) }, "action failed");
  return { ok: false, message: "Something went wrong. Try again, or contact an administrator if it keeps happening." };
}

/**
 * Action inputs are plain objects (or FormData, read as one). zod's z.object also accepts a Date, Map, Blob or
 * Promise as an object with no fields, so `startSweepAction(new Date())` would have run: refuse such inputs here.
 */
function isPlainOrPrimitive(value: unknown): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return true; // left to the schema
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function parseInput<S extends z.ZodType>(schema: S, source: unknown, actionName: string): z.ZodSafeParseResult<z.infer<S>> | null {
  if (!isPlainOrPrimitive(source)) return null;
  try {
    return schema.safeParse(source);
  } catch (e) {
    // safeParse can throw on hostile input (a Promise, which a forged POST can encode, reaching a preprocess
    // step makes zod 4 throw a TypeError): that is invalid input, not an internal error. Fail closed.
    log.warn({ action: actionName, err: e instanceof Error ? e.name : "unknown" }, "action input made the parser throw");
    return null;
  }
}

export function defineAction<S extends z.ZodType, T>(options: {
  name: string;
  permission: Permission;
  input: S;
  run: (input: z.infer<S>, caller: CurrentStaff) => Promise<ActionResult<T>>;
  /** Destructive actions: told about every refusal before `run` (no permission, invalid input), to audit it. */
  onRefused?: (refusal: { reason: "unauthenticated" | "forbidden" | "invalid-input"; raw: unknown; caller: CurrentStaff | null }) => Promise<void>;
}): (input: unknown) => Promise<ActionResult<T>> {
  return async (raw: unknown) => {
    const source = raw instanceof FormData ? Object.fromEntries(raw) : raw;
    let caller: CurrentStaff | null = null;
    try {
      caller = await requirePermission(options.permission);
    } catch (e) {
      if (options.onRefused && (e instanceof ForbiddenError || e instanceof UnauthenticatedError)) {
        await options
          .onRefused({ reason: e instanceof ForbiddenError ? "forbidden" : "unauthenticated", raw: source, caller: null })
          .catch((err: unknown) => log.error({ action: options.name, err: (err as Error).message }, "refusal not audited"));
      }
      return toActionError(e, options.name);
    }
    try {
      const parsed = parseInput(options.input, source, options.name);
      if (!parsed?.success) {
        await options.onRefused?.({ reason: "invalid-input", raw: source, caller });
        return {
          ok: false,
          message: "Some fields are not valid.",
          fieldErrors: parsed ? (z.flattenError(parsed.error).fieldErrors as Record<string, string[]>) : {},
        };
      }
      return await options.run(parsed.data, caller);
    } catch (e) {
      return toActionError(e, options.name);
    }
  };
}
