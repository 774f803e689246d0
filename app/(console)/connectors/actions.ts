"use server";

import { z } from "zod";

import { defineAction } from "@/lib/actions/define-action";
import { refreshConnectorsNow } from "@/lib/dal/connectors";

export const refreshConnectorsAction = defineAction({
  name: "refreshConnectors",
  permission: "connectors.refresh",
  input: z.object({}).strict(),
  async run() {
    const { changes } = await refreshConnectorsNow();
    return { ok: true, data: undefined, message: changes === 0 ? "Connector list refreshed: no status changes." : `Connector list refreshed: ${changes} status changes.` };
  },
});
