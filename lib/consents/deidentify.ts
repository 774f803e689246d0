import "server-only";

// De-identifying the console's own copies of a user's data (BASIQ.md "Consents": on consent.revoked / expired,
// "Delete/de-identify data received for that user by both Basiq and the partner"; and on user.deleted). In one
// transaction: the encrypted name, e-mail and mobile and their blind indexes (email_idx, mobile_idx, the name-word
// rows) are erased and the directory row is marked (deidentified_at, deidentified_by), so no later sync writes
// them again (lib/directory/record.ts); job rows keep only ids, codes and dates (the error titles, details and
// URLs go, and each step keeps its title, status and result code); one audit row names the event and what was
// erased. Idempotent: a user already de-identified with nothing left to erase is left alone (no second audit row).
import { eq, sql } from "drizzle-orm";

import type { Database } from "@/lib/db";
import { auditEvents, basiqUserNameWords, basiqUsers, jobRuns } from "@/lib/db/schema";
import { log } from "@/lib/log";

export const DEIDENTIFYING_EVENTS = ["consent.revoked", "consent.expired", "user.deleted"] as const;
export type DeidentifyingEvent = (typeof DEIDENTIFYING_EVENTS)[number];

export function isDeidentifyingEvent(type: string): type is DeidentifyingEvent {
  return (DEIDENTIFYING_EVENTS as readonly string[]).includes(type);
}

export interface DeidentifyResult {
  /** Nothing was left to erase (already de-identified): no audit row was written. */
  alreadyDone: boolean;
  erased: string[];
  jobRows: number;
}

/** The `details.erased` labels of the audit row. */
const FIELD_LABELS = {
  name: "name (encrypted) and its name-word blind indexes",
  email: "e-mail (encrypted) and its blind index",
  mobile: "mobile (encrypted) and its blind index",
} as const;

export async function deidentifyUser(db: Database, userId: string, event: { id: string; type: DeidentifyingEvent }): Promise<DeidentifyResult> {
  const result = await db.transaction(async (tx) => {
    // The row, locked: a concurrent sync of this user waits, then sees the mark and writes no personal field.
    const [before] = await tx
      .select({
        nameEnc: basiqUsers.nameEnc,
        emailEnc: basiqUsers.emailEnc,
        emailIdx: basiqUsers.emailIdx,
        mobileEnc: basiqUsers.mobileEnc,
        mobileIdx: basiqUsers.mobileIdx,
        deidentifiedAt: basiqUsers.deidentifiedAt,
      })
      .from(basiqUsers)
      .where(eq(basiqUsers.id, userId))
      .for("update")
      .limit(1);
    const words = await tx.delete(basiqUserNameWords).where(eq(basiqUserNameWords.userId, userId)).returning({ w: basiqUserNameWords.wordIdx });
    const erased: string[] = [];
    if (before?.nameEnc || words.length > 0) erased.push(FIELD_LABELS.name);
    if (before?.emailEnc || before?.emailIdx) erased.push(FIELD_LABELS.email);
    if (before?.mobileEnc || before?.mobileIdx) erased.push(FIELD_LABELS.mobile);

    const now = new Date();
    const personal = { nameEnc: null, emailEnc: null, emailIdx: null, mobileEnc: null, mobileIdx: null };
    if (before) {
      await tx
        .update(basiqUsers)
        .set({ ...personal, ...(before.deidentifiedAt ? {} : { deidentifiedAt: now, deidentifiedBy: event.type }) })
        .where(eq(basiqUsers.id, userId));
    }
    // A user the directory never knew gets no row (it would list an empty user): only its job rows, if any, change.

    // Job rows: ids, codes and dates only.
    const jobs = await tx
      .update(jobRuns)
      .set({
        errorTitle: null,
        errorDetail: null,
        errorUrl: null,
        steps: sql`(select coalesce(jsonb_agg(jsonb_build_object(
            'title', s -> 'title',
            'status', s -> 'status',
            'result', case when jsonb_typeof(s -> 'result') = 'object'
                           then jsonb_strip_nulls(jsonb_build_object('code', s -> 'result' -> 'code'))
                           else 'null'::jsonb end) order by n), '[]'::jsonb)
          from jsonb_array_elements(${jobRuns.steps}) with ordinality as t(s, n))`,
      })
      .where(
        sql`${jobRuns.userId} = ${userId} and (${jobRuns.errorTitle} is not null or ${jobRuns.errorDetail} is not null or ${jobRuns.errorUrl} is not null
            or exists (select 1 from jsonb_array_elements(${jobRuns.steps}) s
                       where jsonb_typeof(s -> 'result') = 'object' and (s -> 'result') - 'code' <> '{}'::jsonb))`,
      )
      .returning({ id: jobRuns.id });
    if (jobs.length > 0) erased.push(`job error titles, details and URLs (${jobs.length} job rows; codes and dates kept)`);

    const alreadyDone = !!before?.deidentifiedAt && erased.length === 0;
    if (!alreadyDone) {
      await tx.insert(auditEvents).values({
        action: "user.deidentified",
        outcome: "success",
        targetUserId: userId,
        details: { event: event.type, eventId: event.id, erased, directoryRowMarked: !!before },
      });
    }
    return { alreadyDone, erased, jobRows: jobs.length };
  });
  if (!result.alreadyDone) log.info({ userId, event: event.type, eventId: event.id, jobRows: result.jobRows }, "user de-identified after a consent or deletion event");
  return result;
}

export interface DeidentifiedMark {
  at: Date;
  by: string;
}

/** Why the user's personal details are gone, for the user page; null when they are not. */
export async function deidentifiedMark(db: Database, userId: string): Promise<DeidentifiedMark | null> {
  const [row] = await db
    .select({ at: basiqUsers.deidentifiedAt, by: basiqUsers.deidentifiedBy })
    .from(basiqUsers)
    .where(eq(basiqUsers.id, userId))
    .limit(1);
  return row?.at ? { at: row.at, by: row.by ?? "unknown event" } : null;
}
