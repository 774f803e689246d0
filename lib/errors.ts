// Domain errors thrown by the data-access layer and turned into pages (403/404) or action results.
// Next.js can load a module once per server bundle, so `instanceof` compares a brand, not class identity.
const BRAND = Symbol.for("basiq-console.domain-error");

abstract class DomainError extends Error {
  static readonly brandName: string = "DomainError";

  static [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== "object" || value === null) return false;
    const kinds = (value as Record<symbol, unknown>)[BRAND];
    return Array.isArray(kinds) && kinds.includes(this.brandName);
  }

  constructor(message: string) {
    super(message);
    const kinds: string[] = [];
    for (let c: unknown = new.target; typeof c === "function" && c !== Error; c = Object.getPrototypeOf(c)) {
      kinds.push((c as typeof DomainError).brandName);
    }
    Object.defineProperty(this, BRAND, { value: kinds, enumerable: false });
    this.name = (new.target as typeof DomainError).brandName;
  }
}

export class UnauthenticatedError extends DomainError {
  static override readonly brandName: string = "UnauthenticatedError";
  constructor() {
    super("Sign in to continue.");
  }
}

/**
 * Signed in with a password, but the second factor is still owed (enrolment or a code). A kind of
 * UnauthenticatedError, so any check that does not know about it still refuses (fail closed).
 */
export class SecondFactorRequiredError extends UnauthenticatedError {
  static override readonly brandName: string = "SecondFactorRequiredError";
  constructor(readonly need: "enrol" | "verify") {
    super();
    this.message = "Complete the second factor first.";
  }
}

/**
 * Signed in with a generated (one-time) password that must be changed first. A kind of UnauthenticatedError, so
 * any check that does not know about it still refuses (fail closed); only `account.password` is allowed.
 */
export class PasswordChangeRequiredError extends UnauthenticatedError {
  static override readonly brandName: string = "PasswordChangeRequiredError";
  constructor() {
    super();
    this.message = "Choose a new password first.";
  }
}

export class ForbiddenError extends DomainError {
  static override readonly brandName: string = "ForbiddenError";
  constructor(readonly permission?: string) {
    super("You do not have permission to do that.");
  }
}

export class NotFoundError extends DomainError {
  static override readonly brandName: string = "NotFoundError";
  constructor(what = "That record") {
    super(`${what} was not found.`);
  }
}

/** A request we refuse for a reason the person can act on (bad input, budget used up, ...). */
export class UserFacingError extends DomainError {
  static override readonly brandName: string = "UserFacingError";
}
