import Link from "next/link";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";

import { CommandPalette } from "@/components/command-palette/palette-trigger";
import { SidebarNav } from "@/components/layout/sidebar-nav";
import { ThemeToggle } from "@/components/layout/theme-toggle";
import { navItems } from "@/components/layout/nav-items";
import { Badge } from "@/components/ui/badge";
import { can } from "@/lib/auth/policy";
import { PASSWORD_CHANGE_PATH, SECOND_FACTOR_PATH } from "@/lib/auth/guard";
import { getSessionState } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { timeZoneAbbreviation } from "@/lib/format";

import { signOutAction } from "./sign-out-action";

// The signed-in shell. It reads the caller for display only: every page checks its own permission
// (layouts do not re-run on client navigation, so they cannot guard anything).
export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const state = await getSessionState();
  if (state.status === "second-factor") redirect(SECOND_FACTOR_PATH);
  if (state.status === "password-change") redirect(PASSWORD_CHANGE_PATH);
  if (state.status !== "complete") redirect("/login");
  const current = state.staff;
  const items = navItems.filter((item) => can(current.role, item.permission)).map(({ href, label }) => ({ href, label }));
  const sandbox = env().basiq.mode === "sandbox";
  const timeZone = env().consoleTimeZone;
  return (
    <div className="min-h-screen md:flex">
      {/* The column (its background and border) runs the page's full height; its contents stay in view. */}
      <aside className="border-b border-slate-200 bg-white md:w-56 md:shrink-0 md:border-b-0 md:border-r">
        <div className="md:sticky md:top-0 md:h-screen">
          <div className="flex items-center justify-between gap-2 px-4 py-3 md:block">
            <Link href="/" className="flex items-center gap-2 text-base font-semibold text-slate-900">
              {/* eslint-disable-next-line @next/next/no-img-element -- a 24 px static SVG from public/ */}
              <img src="/favicon.svg" alt="" width={24} height={24} className="h-6 w-6" />
              Basiq console
            </Link>
            {sandbox ? (
              <Badge tone="warn" className="md:mt-1">
                Sandbox
              </Badge>
            ) : null}
          </div>
          <div className="px-2 pb-2 md:pb-0">
            <SidebarNav items={items} />
            <CommandPalette pages={items} />
          </div>
          <div className="hidden border-t border-slate-200 px-4 py-3 text-sm md:absolute md:bottom-0 md:block md:w-56">
            <AccountBox name={current.name} email={current.email} role={current.role} />
          </div>
        </div>
      </aside>
      <div className="min-w-0 flex-1">
        {/* A landmark (banner) so nothing on the phone layout sits outside one (axe: region). */}
        <header className="flex items-center justify-end gap-3 border-b border-slate-200 bg-white px-4 py-2 text-sm md:hidden">
          <AccountBox name={current.name} email={current.email} role={current.role} compact />
        </header>
        <main id="main-content" tabIndex={-1} className="mx-auto max-w-7xl px-4 py-6 md:px-8">{children}</main>
        <footer className="mx-auto flex max-w-7xl flex-wrap items-center justify-between gap-3 px-4 pb-6 text-xs text-slate-600 md:px-8">
          <p data-testid="console-footer">
            Times are shown in <span data-testid="console-time-zone">{timeZone}</span> ({timeZoneAbbreviation(timeZone)}).
          </p>
          <ThemeToggle initial={(await cookies()).get("theme")?.value ?? "system"} />
        </footer>
      </div>
    </div>
  );
}

function AccountBox({ name, email, role, compact }: { name: string; email: string; role: string; compact?: boolean }) {
  return (
    <div className={compact ? "flex items-center gap-3" : "space-y-2"}>
      <div className="min-w-0">
        <Link href="/account" className="block truncate font-medium text-slate-900 hover:underline" data-testid="current-staff-name" title="Your account">
          {name}
        </Link>
        {!compact ? <p className="truncate text-xs text-slate-500">{email}</p> : null}
      </div>
      <Badge tone="info">
        <span data-testid="current-staff-role">{role}</span>
      </Badge>
      <form action={signOutAction}>
        <button type="submit" className="text-sm text-slate-600 underline-offset-2 hover:underline">
          Sign out
        </button>
      </form>
    </div>
  );
}
