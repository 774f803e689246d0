import type { Permission } from "@/lib/auth/policy";

export interface NavItem {
  href: string;
  label: string;
  permission: Permission;
}

/** The console's sections, each behind the permission its page checks. */
export const navItems: NavItem[] = [
  { href: "/", label: "Overview", permission: "overview.read" },
  { href: "/users", label: "Users", permission: "users.read" },
  { href: "/jobs", label: "Error log", permission: "jobs.read" },
  { href: "/consents", label: "Consents", permission: "consents.read" },
  { href: "/connectors", label: "Connectors", permission: "connectors.read" },
  { href: "/webhooks", label: "Webhooks", permission: "webhooks.manage" },
  { href: "/audit", label: "Audit log", permission: "audit.read" },
  { href: "/staff", label: "Staff", permission: "staff.manage" },
  { href: "/operations", label: "Operations", permission: "operations.manage" },
  { href: "/api-keys", label: "API keys", permission: "apiKeys.manage" },
  { href: "/alerts", label: "Alerts", permission: "alerts.manage" },
];
