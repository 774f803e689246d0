import type { Metadata } from "next";
import { cookies } from "next/headers";
import { connection } from "next/server";

import { themeClass } from "@/lib/theme";

import "./globals.css";

import { Providers } from "./providers";

export const metadata: Metadata = {
  title: { default: "Basiq console", template: "%s · Basiq console" },
  description: "Internal console for Basiq users, connections, jobs and connectors.",
  robots: { index: false, follow: false },
  icons: { icon: "/favicon.svg" },
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Rendered per request, every page (the 404 too): Next.js stamps the CSP nonce from proxy.ts on its scripts only
  // while rendering a request; a page prerendered at build time would carry no nonce and its scripts would not run.
  await connection();
  const theme = themeClass((await cookies()).get("theme")?.value);
  return (
    <html lang="en-AU" className={theme} data-theme={theme || "system"}>
      <body className="min-h-screen font-sans">
        {/* First in the tab order: keyboard users jump past the navigation. */}
        <a
          href="#main-content"
          className="sr-only focus:not-sr-only focus:fixed focus:left-3 focus:top-3 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:font-medium focus:text-slate-900 focus:shadow-lg focus:outline-2 focus:outline-sky-600"
        >
          Skip to content
        </a>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
