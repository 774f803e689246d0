import type { Metadata } from "next";

import { InvitationForm } from "./invitation-form";

export const metadata: Metadata = { title: "Accept invitation" };

// The link's token is in its #fragment (lib/invitations): this page reads it in the browser and asks the server
// about it with a POST, so the token never appears in a request line, an access log or a Referer.
export default function InvitationPage() {
  return (
    <main id="main-content" tabIndex={-1} className="flex min-h-screen items-center justify-center px-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold">Basiq console invitation</h1>
        <InvitationForm />
      </div>
    </main>
  );
}
