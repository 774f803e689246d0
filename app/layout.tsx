import type { Metadata } from "next";
import { connection } from "next/server";

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
  return (
    <html lang="en-AU">
      <body className="min-h-screen font-sans">
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
