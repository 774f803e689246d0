import { Badge } from "@/components/ui/badge";
import { CONNECTOR_STATUS, term } from "@/lib/vocabulary";

export function ConnectorStatusBadge({ status }: { status: string }) {
  const t = term(CONNECTOR_STATUS, status);
  return <Badge tone={t.tone}>{t.label}</Badge>;
}
