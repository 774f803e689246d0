/** A purge needs a sign-in (or a re-entered password) at most this old. Shared by the page and the server check. */
export const RECENT_SIGN_IN_MS = 15 * 60_000;
