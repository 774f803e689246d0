import type { Metadata } from "next";
import Link from "next/link";

import { Card, CardTitle } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { guardPage } from "@/lib/auth/guard";
import { env } from "@/lib/env";

import { importUsersAction, startDirectorySyncAction } from "../actions";
import { ImportForm } from "./import-form";
import { SyncPanel } from "./sync-panel";

export const metadata: Metadata = { title: "Import users" };

export default async function ImportUsersPage() {
  await guardPage("users.import", "/users/import");
  return (
    <>
      <nav className="mb-2 text-sm">
        <Link href="/users" className="text-sky-700 hover:underline">
          ← Users
        </Link>
      </nav>
      <PageHeader
        title="Import or sync users"
        description="Basiq cannot list an application's users, so the console learns ids from imports, syncs and Basiq's events."
      />
      <div className="grid gap-4 lg:grid-cols-3">
        <Card className="min-w-0 lg:col-span-2">
          <CardTitle>Import user ids</CardTitle>
          <ImportForm importUsers={importUsersAction} />
        </Card>
        <Card>
          <CardTitle>Sync the directory</CardTitle>
          <SyncPanel startSync={startDirectorySyncAction} timeZone={env().consoleTimeZone} />
        </Card>
      </div>
    </>
  );
}
