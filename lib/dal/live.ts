import "server-only";

// Live Basiq reads shared by the data-access functions of one request: React's cache() makes every component
// of a render that asks for the same thing share one call (no duplicate Basiq calls for one page).
import { cache } from "react";

import { basiq } from "@/lib/basiq";

import { pageDeadline } from "./live-or-stored";

/** A user's jobs, or one connection's (`connectionId` given), within the page's deadline. Callers check the policy. */
export const liveUserJobs = cache((userId: string, connectionId: string | undefined) =>
  basiq().listUserJobs(userId, { userId, connectionId, maxPages: 5, signal: pageDeadline().signal }),
);
