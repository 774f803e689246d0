// react-query keys for a job, shared by the job page's view and the connection page's live steps. A module of its
// own so that importing the key does not bring the whole job view into a page's JavaScript (issue 15).
export const jobKeys = { detail: (id: string) => ["jobs", "detail", id] as const };
