// `npx tsx scripts/ensure-browser.ts`: finds (or installs) the Chromium the end-to-end tests use and prints its path
// on the last line of stdout (`CHROMIUM_PATH=…`); exits 1 with one line saying what to run when there is none.
// `npm test` does the same in-process (scripts/test.ts).
import { BrowserNotFound, ensureBrowser, realBrowserDeps } from "./browser";

try {
  const found = await ensureBrowser(realBrowserDeps());
  console.log(`browser: ${found.version} at ${found.path} (${found.source})`);
  console.log(`CHROMIUM_PATH=${found.path}`);
} catch (err) {
  if (!(err instanceof BrowserNotFound)) throw err;
  console.error(`error: ${err.message}`);
  process.exit(1);
}
