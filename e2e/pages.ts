import { can, type Permission, type Role } from "../lib/auth/policy";

import { activeSandboxConnection } from "./sandbox-client";

// The console's main pages, each with the permission its page checks: used by the axe spec and the screenshots.
export interface MainPage {
  name: string;
  path: string;
  permission: Permission | null; // null: the sign-in page (signed out)
}

export async function mainPages(): Promise<MainPage[]> {
  const { userId, connectionId } = await activeSandboxConnection(60);
  return [
    { name: "overview", path: "/", permission: "overview.read" },
    { name: "users", path: "/users", permission: "users.read" },
    { name: "user", path: `/users/${userId}`, permission: "users.read" },
    { name: "connection", path: `/users/${userId}/connections/${connectionId}`, permission: "connections.read" },
    { name: "connectors", path: "/connectors", permission: "connectors.read" },
    { name: "jobs", path: "/jobs", permission: "jobs.read" },
    { name: "audit", path: "/audit", permission: "audit.read" },
    { name: "staff", path: "/staff", permission: "staff.manage" },
    { name: "consents", path: "/consents", permission: "consents.read" },
    { name: "api-keys", path: "/api-keys", permission: "apiKeys.manage" },
    { name: "alerts", path: "/alerts", permission: "alerts.manage" },
    { name: "alert history", path: "/alerts/history", permission: "alerts.manage" },
    { name: "account", path: "/account", permission: "overview.read" },
    { name: "login", path: "/login", permission: null },
  ];
}

export const roles: Role[] = ["staff", "support", "admin"];
export const viewports = [
  { name: "desktop", width: 1440, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;

export function mayOpen(role: Role, page: MainPage): boolean {
  return page.permission !== null && can(role, page.permission);
}
