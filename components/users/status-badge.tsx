import { Badge, type Tone } from "@/components/ui/badge";

const tones: Record<string, Tone> = {
  active: "good",
  pending: "warn",
  "pre-init": "neutral",
  invalid: "bad",
  none: "neutral",
};

export function ConnectionStatusBadge({ status }: { status: string }) {
  return <Badge tone={tones[status] ?? "neutral"}>{status === "none" ? "no connections" : status}</Badge>;
}
