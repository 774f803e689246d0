// SECURITY.md NX-4: the installed next/react/react-dom are at least the floor recorded in version-floor.json.
import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import floorFile from "./version-floor.json";

/** Compares x.y.z[-pre] versions; a prerelease sorts before its release (16.1.0-canary.3 < 16.1.0). */
function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+.*)?$/.exec(v);
    if (!m) throw new Error(`not a version: ${v}`);
    return { nums: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1; // good enough between prereleases of one version; floors are releases
}

function installedVersion(pkg: string): string {
  const file = path.join(process.cwd(), "node_modules", pkg, "package.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}

describe("compareVersions", () => {
  it.each([
    ["16.4.6", "16.0.10", 1],
    ["16.0.9", "16.0.10", -1], // numeric, not lexical
    ["16.0.10", "16.0.10", 0],
    ["15.5.9", "16.0.10", -1], // patched on the 15.x line, still below our floor
    ["16.1.0-canary.19", "16.1.0", -1],
    ["19.3.1", "19.2.3", 1],
  ])("%s vs %s", (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });
});

describe("installed versions are at or above the recorded floor", () => {
  const floors = Object.entries(floorFile.floors);

  it("covers next, react and react-dom", () => {
    expect(floors.map(([name]) => name).sort()).toEqual(["next", "react", "react-dom"]);
  });

  it.each(floors)("%s", (pkg, { min, why }) => {
    const installed = installedVersion(pkg);
    expect(
      compareVersions(installed, min),
      `${pkg} ${installed} is below the floor ${min}: ${why}`,
    ).toBeGreaterThanOrEqual(0);
  });

  it("package.json pins versions at or above the floors too (a fresh install cannot go below)", () => {
    const manifest = JSON.parse(readFileSync(path.join(process.cwd(), "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    for (const [pkg, { min }] of floors) {
      const declared = manifest.dependencies[pkg];
      expect(declared, `${pkg} must be an exact version in dependencies`).toMatch(/^\d+\.\d+\.\d+$/);
      expect(compareVersions(declared!, min), `${pkg} ${declared} < ${min}`).toBeGreaterThanOrEqual(0);
    }
  });
});
