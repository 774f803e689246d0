import { getJobHistory } from "@/lib/dal/jobs";

import { JobHistoryTable } from "./job-history-table";

/** Server component: the job history, fetched fresh from Basiq (and stored) when the page opens. */
export async function JobHistorySection({ userId, connectionId }: { userId: string; connectionId?: string }) {
  const history = await getJobHistory(userId, connectionId);
  return <JobHistoryTable history={history} showConnection={!connectionId} />;
}
