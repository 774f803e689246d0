import { Alert } from "@/components/ui/alert";
import { When } from "@/components/ui/when";
import type { PurgedState } from "@/lib/purge/purged-state";

/** "Data purged on … by …" at the top of the connection page while no refresh has brought data back. */
export function PurgedNotice({ purged }: { purged: PurgedState }) {
  return (
    <Alert tone="info" title="Data purged" className="mb-4">
      <span data-testid="purged-notice">
        Data purged on <When value={purged.at} /> by {purged.by}. Accounts are hidden and a second purge is off until a refresh brings
        data back.
      </span>
    </Alert>
  );
}
