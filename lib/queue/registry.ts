// Every queue of the console, in one list: the engine (lib/queue/engine.ts) creates each queue, starts its
// workers and installs its cron schedule at start-up; migrations create them as the owner role.
//
// Adding an area's queues: export `const <area>Queues: QueueDefinition[] = [{ name, handler, options }]` from
// lib/<area>/queues.ts and spread it into `queueDefinitions` below. Enqueue with `enqueue(name, data)` from
// lib/queue/engine.ts.
import { alertQueues } from "@/lib/alerts/queues";
import { connectorQueues } from "@/lib/connectors/queues";
import { sweepQueues } from "@/lib/jobs/queues";
import { webhookQueues } from "@/lib/webhooks/queues";

import type { QueueDefinition } from "./types";

export const queueDefinitions: readonly QueueDefinition[] = [...sweepQueues, ...connectorQueues, ...webhookQueues, ...alertQueues];
