import type { Role } from "@/lib/auth/policy";

/** Sandbox-mode demo accounts (refused when a real BASIQ_API_KEY is configured). */
export const demoAccounts: { email: string; name: string; role: Role }[] = [
  { email: "admin@example.com", name: "Ada Admin", role: "admin" },
  { email: "support@example.com", name: "Sam Support", role: "support" },
  { email: "staff@example.com", name: "Stella Staff", role: "staff" },
];
