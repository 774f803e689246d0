import { Button } from "@/components/ui/button";

import { ssoSignInAction } from "./actions";

/** The identity provider's button (a plain form: works without JavaScript). */
export function SsoButton({ name, callbackUrl }: { name: string; callbackUrl: string }) {
  return (
    <form action={ssoSignInAction}>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <Button type="submit" className="w-full" data-testid="sso-sign-in">
        Sign in with {name}
      </Button>
    </form>
  );
}
