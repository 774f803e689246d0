// Domain errors thrown by the data-access layer and turned into pages (403/404) or action results.
export class UnauthenticatedError extends Error {
  constructor() {
    super("Sign in to continue.");
    this.name = "UnauthenticatedError";
  }
}

export class ForbiddenError extends Error {
  constructor(readonly permission?: string) {
    super("You do not have permission to do that.");
    this.name = "ForbiddenError";
  }
}

export class NotFoundError extends Error {
  constructor(what = "That record") {
    super(`${what} was not found.`);
    this.name = "NotFoundError";
  }
}

/** A request we refuse for a reason the person can act on (bad input, budget used up, ...). */
export class UserFacingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserFacingError";
  }
}
