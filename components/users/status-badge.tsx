import { Badge } from "@/components/ui/badge";
import { CONNECTION_STATUS, term } from "@/lib/vocabulary";

/** A connection status as Basiq sent it; an unknown one is shown raw ("suspended (not known to this console)"). */
export function ConnectionStatusBadge({ status }: { status: string }) {
  if (status === "none") return <Badge tone="neutral">no connections</Badge>;
  const t = term(CONNECTION_STATUS, status);
  return <Badge tone={t.tone}>{t.label}</Badge>;
}
