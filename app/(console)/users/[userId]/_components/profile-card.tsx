import { Card, CardTitle } from "@/components/ui/card";
import { When } from "@/components/ui/when";
import { RevealValue } from "@/components/users/reveal-value";
import type { UserShellDTO } from "@/lib/dal/users";

import { revealUserFieldAction } from "../../actions";

/** The directory's copy of a person: shown at once, before Basiq answers. */
export function ProfileCard({ user }: { user: UserShellDTO }) {
  return (
    <Card>
      <CardTitle>Profile</CardTitle>
      <dl className="space-y-2 text-sm">
        <div>
          <dt className="text-xs text-slate-500">E-mail</dt>
          <dd>
            <RevealValue
              masked={user.maskedEmail}
              canReveal={user.canReveal}
              label="e-mail"
              reveal={revealUserFieldAction.bind(null, { userId: user.id, field: "email" })}
            />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Mobile</dt>
          <dd>
            <RevealValue
              masked={user.maskedMobile}
              canReveal={user.canReveal}
              label="mobile"
              reveal={revealUserFieldAction.bind(null, { userId: user.id, field: "mobile" })}
            />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">In the directory since</dt>
          <dd>
            <When value={user.firstSeenAt} />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-slate-500">Last synced from Basiq</dt>
          <dd data-testid="last-synced">
            <When value={user.lastSyncedAt} /> (<When value={user.lastSyncedAt} relative />)
          </dd>
        </div>
      </dl>
    </Card>
  );
}
