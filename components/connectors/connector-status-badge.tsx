import { Badge, type Tone } from "@/components/ui/badge";

const tones: Record<string, Tone> = {
  operational: "good",
  "degraded-performance": "warn",
  "partial-outage": "warn",
  "major-outage": "bad",
  "under-maintenance": "info",
};

export function ConnectorStatusBadge({ status }: { status: string }) {
  return <Badge tone={tones[status] ?? "neutral"}>{status.replace(/-/g, " ")}</Badge>;
}
