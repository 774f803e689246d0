import { Badge, type Tone } from "@/components/ui/badge";

const tones: Record<string, Tone> = { success: "good", failed: "bad", "in-progress": "info", pending: "neutral" };

export function JobOutcomeBadge({ outcome }: { outcome: string }) {
  return <Badge tone={tones[outcome] ?? "neutral"}>{outcome}</Badge>;
}
