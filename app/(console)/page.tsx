import type { Metadata } from "next";

import { Card, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { guardPage } from "@/lib/auth/guard";
import { getOverview } from "@/lib/dal/overview";
import { formatRelative } from "@/lib/utils";

export const metadata: Metadata = { title: "Overview" };

export default async function OverviewPage() {
  const current = await guardPage("overview.read", "/");
  const overview = await getOverview();
  return (
    <>
      <PageHeader title={`Good day, ${current.name.split(" ")[0]}`} description="The state of the Basiq integration at a glance." />
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        <Card>
          <CardTitle>Users in the directory</CardTitle>
          <p className="text-3xl font-semibold" data-testid="overview-users">
            {overview.usersInDirectory.toLocaleString("en-AU")}
          </p>
          <p className="mt-1 text-xs text-slate-500">Last synced {formatRelative(overview.lastDirectorySync)}</p>
        </Card>
        <Card>
          <CardTitle>Users by worst connection status</CardTitle>
          {overview.usersByWorstStatus.length === 0 ? (
            <p className="text-sm text-slate-600">No users yet.</p>
          ) : (
            <ul className="space-y-1 text-sm">
              {overview.usersByWorstStatus.map((s) => (
                <li key={s.status} className="flex justify-between">
                  <span>{s.status === "none" ? "no connections" : s.status}</span>
                  <span className="font-medium">{s.users.toLocaleString("en-AU")}</span>
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>
    </>
  );
}
