// Every vitest worker gets fixed test keys (never the developer's .data secrets) and a silent logger.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

process.env.ENCRYPTION_KEY ??= `test1:${Buffer.alloc(32, 7).toString("base64")}`;
process.env.BLIND_INDEX_KEY ??= Buffer.alloc(32, 9).toString("base64");
process.env.AUTH_SECRET ??= "test-auth-secret-test-auth-secret-0123456789";
process.env.DATA_DIR ??= mkdtempSync(path.join(tmpdir(), "basiq-console-test-"));
process.env.LOG_LEVEL ??= "silent";
