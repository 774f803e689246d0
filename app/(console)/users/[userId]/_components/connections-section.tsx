import Link from "next/link";

import { BasiqProblemAlert } from "@/components/basiq/basiq-problem-alert";
import { EmptyRow, Table, Td, Th } from "@/components/ui/table";
import { TableSkeleton } from "@/components/ui/skeleton";
import { When } from "@/components/ui/when";
import { ConnectionStatusBadge } from "@/components/users/status-badge";
import { getInstitutionNames } from "@/lib/dal/names";
import { getUserDetail } from "@/lib/dal/users";
import { env } from "@/lib/env";

/** Shown while Basiq is asked for the user's connections (the page's shell is already on screen). */
export function ConnectionsSkeleton() {
  return (
    <div data-testid="connections-loading">
      <h2 className="mb-2 text-sm font-semibold text-slate-700">Connections (asking Basiq…)</h2>
      <TableSkeleton rows={3} columns={5} />
    </div>
  );
}

/** The live section of the user page: the user's connections from Basiq, or the directory's copy under a banner. */
export async function ConnectionsSection({ userId }: { userId: string }) {
  const [user, bankNames] = await Promise.all([getUserDetail(userId), getInstitutionNames()]);
  const connections =
    user.connections ??
    user.storedConnections.map((c) => ({ ...c, method: c.method ?? "", institutionId: c.institutionId ?? "", createdDate: null, lastUsed: null }));
  const href = (connectionId: string) => `/users/${encodeURIComponent(user.id)}/connections/${encodeURIComponent(connectionId)}`;
  return (
    <div data-testid="connections-live">
      <BasiqProblemAlert timeZone={env().consoleTimeZone} problem={user.basiqProblem} storedAt={user.storedAt} showing="the directory copy">
        Connections below are as of the last sync (<When value={user.lastSyncedAt} />).
      </BasiqProblemAlert>
      <h2 className="mb-2 text-sm font-semibold text-slate-700">
        Connections {user.connections ? "(live from Basiq)" : "(directory copy)"}
      </h2>
      <Table label="Connections">
        <thead>
          <tr>
            <Th>Institution</Th>
            <Th>Method</Th>
            <Th>Status</Th>
            <Th>Created</Th>
            <Th>Last used</Th>
          </tr>
        </thead>
        <tbody>
          {connections.length === 0 ? (
            <EmptyRow colSpan={5}>This user has no connections. They connect banks through Basiq&apos;s Consent UI.</EmptyRow>
          ) : (
            connections.map((c) => (
              <tr key={c.id} className="hover:bg-slate-50">
                <Td>
                  <Link href={href(c.id)} className="font-medium text-sky-800 hover:underline">
                    {(c.institutionId && bankNames[c.institutionId]) || c.institutionId || "Unknown institution"}
                  </Link>
                  <div className="font-mono text-xs text-slate-500">
                    {c.institutionId && bankNames[c.institutionId] ? `${c.institutionId} · ` : ""}
                    {c.id}
                  </div>
                </Td>
                <Td>{c.method === "openbanking" ? "Open banking" : c.method === "web" ? "Web" : c.method || "—"}</Td>
                <Td>
                  <ConnectionStatusBadge status={c.status} />
                </Td>
                <Td className="whitespace-nowrap">
                  <When value={c.createdDate} />
                </Td>
                <Td className="whitespace-nowrap">
                  <When value={c.lastUsed} />
                </Td>
              </tr>
            ))
          )}
        </tbody>
      </Table>
    </div>
  );
}
