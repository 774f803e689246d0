// Fast feedback before any build: every server action, page and route handler in the sources has a row in the
// authorization matrix (e2e/authorization-matrix.ts). The e2e spec checks the same against the build's manifests
// and then calls each one over HTTP as every role; this only saves waiting for the build to learn a row is missing.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { actionMatrix, pathMatrix } from "@/e2e/authorization-matrix";

const root = process.cwd();

function filesUnder(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = path.posix.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(rel) : [rel];
  });
}

const appFiles = filesUnder("app");

describe("authorization matrix table", () => {
  it("lists every export of every 'use server' module", () => {
    const exported = appFiles
      .filter((f) => /\.(ts|tsx)$/.test(f))
      .filter((f) => /^\s*["']use server["']/.test(readFileSync(path.join(root, f), "utf8")))
      .flatMap((f) =>
        [...readFileSync(path.join(root, f), "utf8").matchAll(/^export\s+(?:async\s+)?(?:function|const|let)\s+(\w+)/gm)].map(
          (m) => `${f}#${m[1]}`,
        ),
      );
    expect(exported.length).toBeGreaterThan(0);
    const listed = actionMatrix.map((a) => `${a.file}#${a.exportedName}`);
    expect(exported.filter((e) => !listed.includes(e)), "server actions with no row in e2e/authorization-matrix.ts").toEqual([]);
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
});
