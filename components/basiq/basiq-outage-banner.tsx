import "server-only";

import { Alert } from "@/components/ui/alert";
import { When } from "@/components/ui/when";
import { currentBasiqOutage } from "@/lib/dal/basiq-problem";

/** The one banner at the top of every page while Basiq cannot be reached (rendered by PageHeader). */
export function BasiqOutageBanner() {
  const outage = currentBasiqOutage();
  if (!outage) return null;
  return (
    <div data-testid="basiq-outage">
      <Alert tone="error" title={<>Basiq unreachable since <When value={outage.since} /></>} className="mb-4">
        <span data-testid="basiq-outage-banner">{outage.message}</span>
      </Alert>
    </div>
  );
}
