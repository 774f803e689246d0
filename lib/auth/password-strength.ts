import "server-only";

// Strength of a password someone chooses (issue 14 item 7), with zxcvbn-ts (the maintained TypeScript port of
// Dropbox's zxcvbn): common passwords, dictionary words, names, keyboard patterns, dates and repeats are scored
// by the guesses they take. A new password needs score 3 or more ("safely unguessable": about 10^8 guesses and
// up) and 12 characters, and must not be built from the person's own e-mail or name.
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as english from "@zxcvbn-ts/language-en";

export const MIN_PASSWORD_LENGTH = 12;
export const MIN_PASSWORD_SCORE = 3;

let factory: ZxcvbnFactory | undefined;
function estimator(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });
  return factory;
}

export type StrengthVerdict = { ok: true } | { ok: false; message: string };

export function checkPasswordStrength(password: string, userInputs: string[]): StrengthVerdict {
  if (password.length < MIN_PASSWORD_LENGTH) return { ok: false, message: `Use at least ${MIN_PASSWORD_LENGTH} characters.` };
  // zxcvbn's cost grows with length; past 100 characters the first 100 decide (a long passphrase is strong anyway).
  const inputs = userInputs.flatMap((v) => [v, ...v.toLowerCase().split(/[^a-z0-9]+/)]).filter((v) => v.length >= 3);
  const result = estimator().check(password.slice(0, 100), inputs);
  if (result.score >= MIN_PASSWORD_SCORE) return { ok: true };
  const hint = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(" ");
  return { ok: false, message: `That password is too easy to guess.${hint ? ` ${hint}` : ""}` };
}
