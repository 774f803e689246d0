import path from "node:path";

export const e2eStateDir = path.join(process.cwd(), "e2e", ".auth");
export const sentinelFile = path.join(e2eStateDir, "build-sentinel.txt");
export const storageStateOf = (role: "admin" | "support" | "staff") => path.join(e2eStateDir, `${role}.json`);
