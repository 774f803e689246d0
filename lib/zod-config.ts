// Zod 4 compiles object parsers with `new Function` when it may, and finds out by trying it once; under the
// console's CSP (no 'unsafe-eval') that probe is a blocked eval the browser reports on every list page whose
// filters zod parses (e2e/headers.spec.ts "pages hydrate under the CSP with no violation"). Jitless parsing asks
// nothing of CSP and is fast enough for filters and action inputs. Imported first by every module that builds
// schemas for the browser (the config must be set before a schema is created).
import { z } from "zod";

z.config({ jitless: true });
