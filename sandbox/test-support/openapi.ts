// Read Basiq's OpenAPI documents at test time (nothing is copied into the repo) and find the schema of one
// operation's response. A short, explicit list of errata patches places where the spec contradicts itself or
// Basiq's own guides; each erratum checks the defect is still there, so a corrected spec fails the test run
// and the erratum gets deleted instead of silently lingering.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { GUIDE_ONLY_FAILURE_CODES } from "../failures";

type Json = Record<string, unknown>;

export interface OpenApiDocuments {
  core: Json;
  data: Json;
}

export function specAvailable(dir: string): boolean {
  return existsSync(path.join(dir, "core.json")) && existsSync(path.join(dir, "data.json"));
}

export function loadSpec(dir: string): OpenApiDocuments {
  const read = (name: string) => JSON.parse(readFileSync(path.join(dir, name), "utf8")) as Json;
  const documents = { core: read("core.json"), data: read("data.json") };
  for (const erratum of ERRATA) erratum.apply(documents);
  return documents;
}

export interface ResponseSchema {
  schema: Json;
  /** The document the schema came from, for `$ref`s. */
  root: Json;
}

/** The JSON schema of `METHOD path` answering `status`, from whichever document defines the path. */
export function responseSchema(
  documents: OpenApiDocuments,
  method: string,
  pathTemplate: string,
  status: number,
): ResponseSchema {
  for (const root of [documents.core, documents.data]) {
    const operation = dig(root, ["paths", pathTemplate, method.toLowerCase()]);
    if (operation === undefined) continue;
    const schema = dig(operation, ["responses", String(status), "content", "application/json", "schema"]);
    if (schema === undefined)
      throw new Error(`The spec has no ${status} JSON body for ${method} ${pathTemplate}`);
    return { schema: schema as Json, root };
  }
  throw new Error(`The spec has no operation ${method} ${pathTemplate}`);
}

/** Whether the spec documents `status` for the operation at all. */
export function documentsStatus(
  documents: OpenApiDocuments,
  method: string,
  pathTemplate: string,
  status: number,
): boolean {
  for (const root of [documents.core, documents.data]) {
    const responses = dig(root, ["paths", pathTemplate, method.toLowerCase(), "responses"]);
    if (responses !== undefined) return String(status) in (responses as Json);
  }
  return false;
}

function dig(node: unknown, keys: readonly string[]): unknown {
  let current = node;
  for (const key of keys) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Json)[key];
  }
  return current;
}

function mustDig(node: unknown, keys: readonly string[]): Json {
  const found = dig(node, keys);
  if (typeof found !== "object" || found === null) throw new Error(`Spec path ${keys.join(" / ")} not found`);
  return found as Json;
}

interface Erratum {
  why: string;
  apply: (documents: OpenApiDocuments) => void;
}

function expectDefect(condition: boolean, why: string): void {
  if (!condition)
    throw new Error(`Spec erratum no longer applies (the spec changed; delete the erratum): ${why}`);
}

const JSON_BODY = ["content", "application/json", "schema"];

export const ERRATA: readonly Erratum[] = [
  {
    why:
      "POST /users/{userId}/connections/{connectionId}/refresh documents only 202, but Basiq's data-connections " +
      "guide says a refresh while a job is queued or running answers 200 with the original job (same body).",
    apply({ data }) {
      const responses = mustDig(data, [
        "paths",
        "/users/{userId}/connections/{connectionId}/refresh",
        "post",
        "responses",
      ]);
      expectDefect(responses["200"] === undefined && responses["202"] !== undefined, this.why);
      responses["200"] = responses["202"];
    },
  },
  {
    why:
      "GET /users/{userId}/jobs: JobsStep.result is required and not nullable, yet its description says " +
      '"a list of URLs or null" and GET /jobs/{jobId} marks the same result nullable. Pending steps have no result: null.',
    apply({ core }) {
      const result = mustDig(core, [
        "paths",
        "/users/{userId}/jobs",
        "get",
        "responses",
        "200",
        ...JSON_BODY,
        "properties",
        "data",
        "items",
        "properties",
        "steps",
        "items",
        "properties",
        "result",
      ]);
      expectDefect(result.nullable !== true, this.why);
      result.nullable = true;
    },
  },
  {
    why:
      "JobsResult.code: Basiq's handling-jobs guide documents `account-not-accessible-requires-user-action`, " +
      "invalid credentials on verify-credentials (`invalid-credentials`) and `service-unavailable` (test persona " +
      "jianYang), which the enum leaves out.",
    apply({ core }) {
      const code = mustDig(core, [
        "paths",
        "/users/{userId}/jobs",
        "get",
        "responses",
        "200",
        ...JSON_BODY,
        "properties",
        "data",
        "items",
        "properties",
        "steps",
        "items",
        "properties",
        "result",
        "properties",
        "code",
      ]);
      const values = code.enum as string[];
      expectDefect(
        GUIDE_ONLY_FAILURE_CODES.every((c) => !values.includes(c)),
        this.why,
      );
      code.enum = [...values, ...GUIDE_ONLY_FAILURE_CODES];
    },
  },
  {
    why: '503 bodies (StatusServiceUnavailableError) type `code` as "object" while its example is the string "service-unavailable".',
    apply(documents) {
      let patched = 0;
      for (const root of [documents.core, documents.data]) {
        for (const operations of Object.values(root.paths as Record<string, Json>)) {
          for (const operation of Object.values(operations)) {
            const code = dig(operation, [
              "responses",
              "503",
              ...JSON_BODY,
              "properties",
              "data",
              "items",
              "properties",
              "code",
            ]);
            if (typeof code === "object" && code !== null && (code as Json).type === "object") {
              (code as Json).type = "string";
              patched++;
            }
          }
        }
      }
      expectDefect(patched > 0, this.why);
    },
  },
  {
    why:
      "GET /events items: `data` is typed string (its example is an array, GET /events/{id} types it object), and " +
      "the entity/eventType enums omit user.*, connection.activated and connection.invalidated, which the spec's own " +
      "GET /events/types lists, and consent.warning / consent.reminder, which Basiq's consent docs describe.",
    apply({ core }) {
      const item = mustDig(core, [
        "paths",
        "/events",
        "get",
        "responses",
        "200",
        ...JSON_BODY,
        "properties",
        "data",
        "items",
        "properties",
      ]);
      const data = item.data as Json;
      const entity = item.entity as Json;
      const eventType = item.eventType as Json;
      expectDefect(data.type === "string" && !(entity.enum as string[]).includes("user"), this.why);
      data.type = "object";
      entity.enum = [...(entity.enum as string[]), "user"];
      // consent.warning (7 days before expiry) and consent.reminder: BASIQ.md, Basiq's consent docs.
      eventType.enum = [...(eventType.enum as string[]), "activated", "invalidated", "warning", "reminder"];
    },
  },
];
