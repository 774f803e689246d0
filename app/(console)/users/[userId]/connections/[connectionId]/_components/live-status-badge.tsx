import { ConnectionStatusBadge } from "@/components/users/status-badge";
import { getConnectionDetail } from "@/lib/dal/connections";

/** The header's status badge once Basiq has answered (the directory's status is shown until then). */
export async function LiveStatusBadge({ userId, connectionId }: { userId: string; connectionId: string }) {
  const c = await getConnectionDetail(userId, connectionId);
  return <ConnectionStatusBadge status={c.status} />;
}
