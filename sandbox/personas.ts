// The fixed people at the start of every dataset: Basiq's own sandbox personas (Hooli logins from
// Basiq's testing guide), then one failing persona per job failure code.
import { JOB_FAILURES, type JobFailureCode } from "./failures";

export interface Persona {
  /** The Hooli login Basiq's guides use, or a made-up one for the failing personas. */
  loginId: string;
  firstName: string;
  middleName: string;
  lastName: string;
  email: string;
  /** "success" for Basiq's personas; the failure code a failing persona's newest job shows. */
  demonstrates: "success" | JobFailureCode;
  story: string;
}

export const BASIQ_PERSONAS: readonly Persona[] = [
  {
    loginId: "Wentworth-Smith",
    firstName: "Max",
    middleName: "",
    lastName: "Wentworth-Smith",
    email: "max@hooli.com",
    demonstrates: "success",
    story: "joint account, mortgage and credit card",
  },
  {
    loginId: "Whistler",
    firstName: "Sam",
    middleName: "",
    lastName: "Whistler",
    email: "whistler@hooli.com",
    demonstrates: "success",
    story: "single salary, buy-now-pay-later, transfers",
  },
  {
    loginId: "Gilfoyle",
    firstName: "Bertram",
    middleName: "",
    lastName: "Gilfoyle",
    email: "gilfoyle@hooli.com",
    demonstrates: "success",
    story: "benefits income on HooliGov, rising buy-now-pay-later",
  },
  {
    loginId: "gavinBelson",
    firstName: "Gavin",
    middleName: "",
    lastName: "Belson",
    email: "gavin@hooli.com",
    demonstrates: "success",
    story: "a refresh in progress and an open-banking consent still pending",
  },
  {
    loginId: "jared",
    firstName: "Jared",
    middleName: "Donald",
    lastName: "Dunn",
    email: "jared@hooli.com",
    demonstrates: "success",
    story: "weekly volatile income, car loan",
  },
];

/** First and last names for the failing personas, in JOB_FAILURES order. */
const FAILING_NAMES: readonly (readonly [string, string, string])[] = [
  ["bighead", "Nelson", "Bighetti"],
  ["erlich", "Erlich", "Bachman"],
  ["monica", "Monica", "Hall"],
  ["nora", "Nora", "Holloway"],
  ["richard", "Richard", "Hendricks"],
  ["dinesh", "Dinesh", "Chugtai"],
  ["peterGregory", "Peter", "Gregory"],
  ["laurie", "Laurie", "Bream"],
  ["russ", "Russ", "Hanneman"],
  ["carla", "Carla", "Walton"],
  ["ron", "Ron", "LaFlamme"],
  ["jackBarker", "Jack", "Barker"],
  ["keenan", "Keenan", "Feldspar"],
  ["edChen", "Ed", "Chen"],
  ["ariel", "Ariel", "Kowalski"],
  ["dana", "Dana", "Whitlock"],
  ["stephen", "Stephen", "Pendleton"],
  ["eklow", "Eklow", "Patel"],
  ["gabe", "Gabe", "Nguyen"],
  ["colin", "Colin", "Mercer"],
  ["hoover", "Hoover", "Brennan"],
  ["denpok", "Denpok", "Tran"],
  ["sol", "Sol", "Fitzgerald"],
  ["tara", "Tara", "Okafor"],
  // Basiq's own test persona for `service-unavailable` (BASIQ.md).
  ["jianYang", "Jian", "Yang"],
];

export const FAILING_PERSONAS: readonly Persona[] = JOB_FAILURES.map((failure, i) => {
  const names = FAILING_NAMES[i];
  if (!names) throw new Error(`No failing persona name for ${failure.code}`);
  const [loginId, firstName, lastName] = names;
  return {
    loginId,
    firstName,
    middleName: "",
    lastName,
    email: `${loginId.toLowerCase()}@piedpiper.com`,
    demonstrates: failure.code,
    story: `newest job failed on ${failure.step} with ${failure.code}`,
  };
});

/** Login of the persona whose connections are in every state Basiq documents (sandbox/plans.ts). */
export const ODD_STATES_LOGIN = "gwart";

/**
 * One connection in each of active, pending, invalid, init, revoked and deleted, and a newest job with a step
 * title the console does not know: what a tolerant reader must render (issue 13).
 */
export const ODD_STATES_PERSONA: Persona = {
  loginId: ODD_STATES_LOGIN,
  firstName: "Gwart",
  middleName: "",
  lastName: "Pendergast",
  email: "gwart@piedpiper.com",
  demonstrates: "success",
  story:
    "one connection in each state (active, pending, invalid, init, revoked, deleted); a job with an unknown step",
};

/** Persona i is user index i (when the dataset has that many users). */
export const PERSONAS: readonly Persona[] = [...BASIQ_PERSONAS, ...FAILING_PERSONAS, ODD_STATES_PERSONA];
