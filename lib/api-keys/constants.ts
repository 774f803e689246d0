/** Requests a second one API key may make to the user check. */
export const USER_CHECK_RATE_LIMIT = 10;
