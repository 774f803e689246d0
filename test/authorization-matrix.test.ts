// Fast feedback before any build, on the authorization matrix (e2e/authorization-matrix.ts): every server action,
// page and route handler in the sources has a row; its hand-written grid of roles agrees with lib/auth/policy.ts
// cell by cell; and each row's permission is the one the source asks for (defineAction's `permission`, guardPage,
// guardRoute). The e2e spec checks the build's manifests and then calls each one over HTTP as every role.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { actionMatrix, pathMatrix, type Allowed, type Requirement } from "@/e2e/authorization-matrix";
import { can, roles } from "@/lib/auth/policy";

const root = process.cwd();

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(rel) : [rel];
  });
}

const appFiles = filesUnder("app");
const source = (file: string) => readFileSync(path.join(root, file), "utf8");

/**
 * The names a module exports (as the server-reference manifest names them), each with its local name:
 * `export [async] function|const|let|var x`, `export { a, b as c }` (re-exports from another module too), and
 * `export default …` ("default"). Type-only exports are left out: they are not actions.
 */
export function exportsOf(text: string): { exported: string; local: string }[] {
  const found: { exported: string; local: string }[] = [];
  for (const m of text.matchAll(/^export\s+(?:async\s+)?(?:function\*?|const|let|var)\s+([\w$]+)/gm))
    found.push({ exported: m[1]!, local: m[1]! });
  for (const m of text.matchAll(/^export\s+(type\s+)?\{([^}]*)\}/gm)) {
    if (m[1]) continue;
    for (const part of m[2]!.split(",").map((p) => p.trim()).filter(Boolean)) {
      if (/^type\s/.test(part)) continue;
      const [local, exported = local] = part.split(/\s+as\s+/).map((x) => x.trim()) as [string, string?];
      found.push({ exported, local });
    }
  }
  for (const m of text.matchAll(/^export\s+default\s+(?:async\s+)?(?:function\*?\s+([\w$]+)|([\w$]+)\s*;?\s*$)?/gm))
    found.push({ exported: "default", local: m[1] ?? m[2] ?? "default" });
  return found;
}

const useServerFiles = appFiles
  .filter((f) => /\.(ts|tsx)$/.test(f))
  .filter((f) => /^\s*["']use server["']/.test(source(f)));

/** What the hand-written grid says, as one line per row: "staff:no support:yes admin:yes". */
function gridOf(allowed: Allowed): string {
  if (typeof allowed === "string") return allowed;
  return roles.map((r) => `${r}:${allowed.includes(r) ? "yes" : "no"}`).join(" ");
}
function policyOf(requires: Requirement): string {
  if (requires === "public" || requires === "signed-in" || requires === "api-key" || requires === "metrics-token") return requires;
  return roles.map((r) => `${r}:${can(r, requires) ? "yes" : "no"}`).join(" ");
}

describe("authorization matrix table", () => {
  it("finds exports written as declarations, as `export { … }` lists and as default exports", () => {
    const text = [
      "export async function a() {}",
      "export const b = defineAction({});",
      "const c = 1, d = 2;",
      "export { c, d as e };",
      "export { f as g } from './elsewhere';",
      "export type { H } from './types';",
      "export { type I, j };",
      "export default async function k() {}",
    ].join("\n");
    expect(exportsOf(text).map((x) => `${x.exported}<-${x.local}`)).toEqual([
      "a<-a",
      "b<-b",
      "c<-c",
      "e<-d",
      "g<-f",
      "j<-j",
      "default<-k",
    ]);
    expect(exportsOf("const x = defineAction({});\nexport default x;\n")).toEqual([{ exported: "default", local: "x" }]);
  });

  it("lists every export of every 'use server' module", () => {
    const exported = useServerFiles.flatMap((f) => exportsOf(source(f)).map((e) => `${f}#${e.exported}`));
    expect(exported.length).toBeGreaterThan(0);
    const listed = actionMatrix.map((a) => `${a.file}#${a.exportedName}`);
    expect(exported.filter((e) => !listed.includes(e)), "server actions with no row in e2e/authorization-matrix.ts").toEqual([]);
    expect(listed.filter((l) => !exported.includes(l)), "rows for server actions that are gone").toEqual([]);
  });

  it("lists every page and route handler", () => {
    const sources = appFiles
      .filter((f) => /\/(page\.tsx|route\.ts)$/.test(f))
      .map((f) => f.replace(/^app/, "").replace(/\.(tsx|ts)$/, ""));
    expect(sources.length).toBeGreaterThan(0);
    const listed = pathMatrix.map((p) => p.appPath);
    expect(sources.filter((s) => !listed.includes(s)), "pages or route handlers with no row in e2e/authorization-matrix.ts").toEqual([]);
    // Rows for sources that are gone (framework pages such as /_not-found come from Next.js, not from app/).
    expect(pathMatrix.filter((p) => !p.framework && !sources.includes(p.appPath)).map((p) => p.appPath)).toEqual([]);
  });

  it("its hand-written roles agree with lib/auth/policy.ts, row by row", () => {
    const rows = [
      ...actionMatrix.map((a) => ({ name: `${a.file}#${a.exportedName}`, requires: a.requires, allowed: a.allowed })),
      ...pathMatrix.map((p) => ({ name: p.appPath, requires: p.requires, allowed: p.allowed })),
    ];
    const disagreements = rows
      .filter((row) => gridOf(row.allowed) !== policyOf(row.requires))
      .map((row) => `${row.name}: table ${gridOf(row.allowed)}, policy for ${row.requires} ${policyOf(row.requires)}`);
    expect(disagreements, "the policy and the hand-written matrix disagree: change both (and the README) or neither").toEqual([]);
  });

  it("each guarded action, page and route asks for the permission its row names", () => {
    const found: string[] = [];
    for (const row of actionMatrix.filter((a) => a.call === "forged")) {
      const text = source(row.file);
      const local = exportsOf(text).find((e) => e.exported === row.exportedName)?.local ?? row.exportedName;
      const start = text.search(new RegExp(`(?:const|let)\\s+${local}\\s*=\\s*defineAction\\(`));
      const permission = start < 0 ? undefined : /permission:\s*"([^"]+)"/.exec(text.slice(start))?.[1];
      found.push(`${row.file}#${row.exportedName}: ${permission ?? "no defineAction permission found"}`);
    }
    for (const row of pathMatrix.filter((p) => !p.framework && p.requires !== "public" && p.requires !== "signed-in" && p.requires !== "metrics-token")) {
      const file = `app${row.appPath}.${row.kind === "page" ? "tsx" : "ts"}`;
      // The machine API's handlers authenticate the key in lib/api-keys/handler.ts (and refuse staff sessions).
      const m = row.requires === "api-key" ? (/handleUserCheck\(/.test(source(file)) ? ["", "api-key"] : null) : /guard(?:Page|Route)\(\s*"([^"]+)"/.exec(source(file));
      found.push(`${file}: ${m?.[1] ?? "no guardPage/guardRoute found"}`);
    }
    const expected = [
      ...actionMatrix.filter((a) => a.call === "forged").map((a) => `${a.file}#${a.exportedName}: ${a.requires}`),
      ...pathMatrix
        .filter((p) => !p.framework && p.requires !== "public" && p.requires !== "signed-in" && p.requires !== "metrics-token")
        .map((p) => `app${p.appPath}.${p.kind === "page" ? "tsx" : "ts"}: ${p.requires}`),
    ];
    expect(found).toEqual(expected);
  });
});
