// Presenters: seeded/runtime records → Basiq v3 JSON, as core.json and data.json describe each operation's
// 200 body. Links point at the sandbox itself (so `links.next` and friends can be followed) with Basiq's paths.
//
// Deliberate extras beyond the spec's declared properties, each for a reason:
// - connection `mfaEnabled`: in Basiq's connection event example and BASIQ.md.
// - job step result `details` next to `detail`: the spec's JobsResult names it `details`, Basiq's guides and
//   BASIQ.md say `detail`; sending both lets a client written from either work (and shows the discrepancy).
import {
  CONNECTOR_METHODS,
  connectorScopes,
  requireInstitution,
  type ConnectorSpec,
  type Institution,
} from "./catalogue";
import { type Dataset, type SeedAccount, type SeedJob, type SeedStep, type SeedUser } from "./data";
import { eventId, type EventRecord } from "./events";
import { type ConnectionView } from "./state";

/** ISO 8601 in UTC with whole seconds, as Basiq writes dates ("2019-07-29T07:34:09Z"). */
export const isoDate = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

const ACCOUNT_CLASS_LABEL: Record<SeedAccount["classType"], string> = {
  transaction: "transaction",
  savings: "savings",
  "credit-card": "credit-card",
  mortgage: "mortgage",
  loan: "loan",
};

export function presentUser(user: SeedUser, connections: readonly ConnectionView[], base: string) {
  const userUrl = `${base}/users/${user.id}`;
  const accounts = connections.flatMap((view) => view.accounts);
  return {
    type: "user",
    id: user.id,
    email: user.email,
    mobile: user.mobile,
    // v3 splits names into firstName/middleName/lastName; `name` is kept and, per the spec's example, empty.
    name: "",
    firstName: user.firstName,
    middleName: user.middleName,
    lastName: user.lastName,
    ...(user.business ? presentBusiness(user) : {}),
    connections: {
      type: "list",
      count: connections.length,
      data: connections.map((view) => ({
        type: "connection",
        id: view.connection.id,
        links: { self: `${userUrl}/connections/${view.connection.id}` },
      })),
    },
    accounts: {
      type: "list",
      count: accounts.length,
      data: accounts.map((account) => ({
        type: "account",
        id: account.id,
        links: { self: `${userUrl}/accounts/${account.id}` },
      })),
    },
    links: {
      accounts: `${userUrl}/accounts`,
      // Required by GetUserLinks although the schema never declares the property.
      auth_link: `${userUrl}/auth_link`,
      connections: `${userUrl}/connections`,
      self: userUrl,
      transactions: `${userUrl}/transactions`,
    },
  };
}

function presentBusiness(user: SeedUser) {
  const business = user.business;
  if (!business) return {};
  return {
    businessName: business.name,
    businessIdNo: business.abn,
    businessIdNoType: "ABN",
    businessAddress: {
      addressLine1: user.address.line1,
      addressLine2: "",
      suburb: user.address.suburb,
      state: user.address.state,
      postcode: user.address.postcode,
      countryCode: "AUS",
    },
    verificationStatus: true,
    verificationDate: business.verificationDate,
  };
}

function connectionCommon(user: SeedUser, view: ConnectionView, base: string) {
  const { connection } = view;
  const userUrl = `${base}/users/${user.id}`;
  const institutionUrl = `${base}/institutions/${connection.institutionId}`;
  const byInstitution = `filter=institution.id.eq('${connection.institutionId}')`;
  return {
    type: "connection",
    id: connection.id,
    method: connection.method,
    status: connection.status,
    createdDate: isoDate(connection.createdDate),
    // "This date is only set for open-banking connections. For web connections, the expiry date field will be empty."
    expiryDate: connection.expiryDate === null ? "" : isoDate(connection.expiryDate),
    lastUsed: isoDate(view.lastUsed),
    mfaEnabled: connection.mfaEnabled,
    institution: { type: "institution", id: connection.institutionId, links: { self: institutionUrl } },
    links: {
      accounts: `${userUrl}/accounts?${byInstitution}`,
      institution: institutionUrl,
      self: `${userUrl}/connections/${connection.id}`,
      transactions: `${userUrl}/transactions?${byInstitution}`,
      user: userUrl,
    },
  };
}

/** An item of GET /users/{userId}/connections. */
export function presentConnectionSummary(user: SeedUser, view: ConnectionView, base: string) {
  return connectionCommon(user, view, base);
}

/** GET /users/{userId}/connections/{connectionId}: the summary plus accounts and the account holder's profile. */
export function presentConnection(user: SeedUser, view: ConnectionView, base: string) {
  const userUrl = `${base}/users/${user.id}`;
  const { connection } = view;
  const hasProfile =
    (connection.method === "web" || connection.method === "openbanking") && connection.status !== "pending";
  return {
    ...connectionCommon(user, view, base),
    accounts: {
      type: "list",
      data: view.accounts.map((account) => ({
        type: "account",
        id: account.id,
        name: account.name,
        currency: "AUD",
        class: { type: ACCOUNT_CLASS_LABEL[account.classType], product: account.product },
        accountNo: account.accountNo,
        availableFunds: account.availableFunds,
        balance: account.balance,
        lastUpdated: isoDate(view.lastUsed),
        status: "available",
        links: {
          self: `${userUrl}/accounts/${account.id}`,
          transactions: `${userUrl}/transactions?filter=account.id.eq('${account.id}')`,
        },
      })),
    },
    ...(hasProfile ? { profile: presentProfile(user) } : {}),
  };
}

function presentProfile(user: SeedUser) {
  const { address } = user;
  const fullName = [user.firstName, user.middleName, user.lastName].filter(Boolean).join(" ");
  return {
    fullName,
    firstName: user.firstName,
    middleName: user.middleName,
    lastName: user.lastName,
    emailAddresses: [user.email],
    // Banks mask the phone number in the profile they share.
    phoneNumbers: [`XXXX ${user.mobile.slice(-6, -3)} ${user.mobile.slice(-3)}`],
    physicalAddresses: [
      {
        addressLine1: address.line1,
        addressLine2: null,
        addressLine3: null,
        city: address.suburb,
        country: "Australia",
        countryCode: "AU",
        formattedAddress: `${address.line1}, ${address.suburb} ${address.state} ${address.postcode}, Australia`,
        postcode: address.postcode,
        state: address.state,
      },
    ],
  };
}

export interface JobOwner {
  userId: string;
  connectionId: string;
  institutionId: string;
}

/** One job, as GET /users/{userId}/jobs lists it and GET /jobs/{jobId} returns it. */
export function presentJob(job: SeedJob, owner: JobOwner, base: string) {
  return {
    type: "job",
    id: job.id,
    created: isoDate(job.created),
    updated: isoDate(job.updated),
    institution: {
      type: "institution",
      id: owner.institutionId,
      links: { self: `${base}/institutions/${owner.institutionId}` },
    },
    steps: job.steps.map((step) => ({
      title: step.title,
      status: step.status,
      result: presentStepResult(step, owner),
    })),
    links: {
      self: `${base}/jobs/${job.id}`,
      source: `${base}/users/${owner.userId}/connections/${owner.connectionId}`,
    },
  };
}

/** Basiq documents result links relative to the API root. Pending and running steps have no result yet (null). */
function presentStepResult(step: SeedStep, owner: JobOwner) {
  if (step.status === "failed" && step.failure) {
    const { code, title, detail } = step.failure;
    return {
      type: "error",
      code,
      title,
      detail,
      details: detail,
      url: "https://api.basiq.io/docs/handling-jobs",
    };
  }
  if (step.status !== "success") return null;
  const user = `/users/${owner.userId}`;
  const byConnection = `filter=connection.id.eq('${owner.connectionId}')`;
  const url =
    step.title === "verify-credentials"
      ? `${user}/connections/${owner.connectionId}`
      : step.title === "retrieve-accounts"
        ? `${user}/accounts?${byConnection}`
        : step.title === "retrieve-transactions"
          ? `${user}/transactions?${byConnection}`
          : `${user}/statements?${byConnection}`;
  return { type: "link", url };
}

/** 202 of POST .../refresh (ConnectionResponseResource). */
export function presentJobReference(jobId: string, base: string) {
  return { type: "job", id: jobId, links: { self: `${base}/jobs/${jobId}` } };
}

export function presentConnector(connector: ConnectorSpec, base: string) {
  const institution = requireInstitution(connector.institutionId);
  const averages = connector.averageDurationMs;
  return {
    type: "connector",
    id: connector.institutionId,
    method: connector.method,
    stage: connector.stage,
    status: connector.status,
    institution: presentConnectorInstitution(institution, connector),
    scopes: connectorScopes(connector.method),
    authorization: {
      type: connector.authorization,
      ...(connector.method === "web"
        ? {
            meta: {
              forgotten_password_url: `https://www.example.com.au/${institution.id.toLowerCase()}/forgotten-password`,
              login_id_caption: connector.authorization === "token" ? "Customer number" : "User name",
              password_caption: connector.authorization === "token" ? "Access token" : "Password",
            },
          }
        : {}),
    },
    stats: {
      averageDurationMs: {
        verifyCredentials: averages.verifyCredentials,
        retrieveAccounts: averages.retrieveAccounts,
        retrieveTransactions: averages.retrieveTransactions,
        retrieveMeta: averages.retrieveMeta,
        total:
          averages.verifyCredentials +
          averages.retrieveAccounts +
          averages.retrieveTransactions +
          averages.retrieveMeta,
      },
    },
    links: { self: `${base}/connectors/${connector.institutionId}/${connector.method}` },
  };
}

function presentConnectorInstitution(institution: Institution, connector: ConnectorSpec) {
  const slug = institution.id;
  return {
    type: institution.type,
    name: institution.name,
    shortName: institution.shortName,
    tier: institution.tier,
    country: "Australia",
    logo: {
      type: "image",
      colors: { primary: institution.primaryColor },
      links: {
        full: `https://cdn.basiq.io/institutions/logos/original/${slug}.svg`,
        square: `https://cdn.basiq.io/institutions/logos/color/${slug}.svg`,
      },
    },
    ...(connector.method === "openbanking"
      ? {
          cdrFAQ: `https://www.example.com.au/${slug.toLowerCase()}/open-banking`,
          cdrEmail: `openbanking@${slug.toLowerCase()}.example.com.au`,
          cdrPolicy: `https://www.example.com.au/${slug.toLowerCase()}/cdr-policy`,
          cdrProviderNumber: `DHBNK${slug.slice(2)}`,
        }
      : {}),
  };
}

/** GET /events item. `data` is the entity as it was, like RetrieveEvent's example (the list schema says string). */
export function presentEvent(dataset: Dataset, event: EventRecord, base: string) {
  const user = dataset.user(event.userIndex);
  const userUrl = `${base}/users/${user.id}`;
  const [entity = "", eventType = ""] = event.type.split(".");
  const connection = event.connectionIndex >= 0 ? user.connections[event.connectionIndex] : undefined;
  const id = eventId(dataset, event);
  let dataRef = userUrl;
  let data: Record<string, unknown> = {
    type: "user",
    id: user.id,
    email: user.email,
    mobile: user.mobile,
    links: { self: userUrl },
  };
  if (connection) {
    const connectionUrl = `${userUrl}/connections/${connection.id}`;
    const byInstitution = `filter=institution.id.eq('${connection.institutionId}')`;
    dataRef = connectionUrl;
    data =
      entity === "consent"
        ? {
            type: "consent",
            id: connection.consentId,
            status: eventType === "revoked" ? "revoked" : eventType === "expired" ? "expired" : "active",
            created: isoDate(connection.createdDate),
            expiryDate: connection.expiryDate === null ? "" : isoDate(connection.expiryDate),
            links: { self: `${userUrl}/consents/${connection.consentId ?? ""}`, connection: connectionUrl },
          }
        : {
            type: "connection",
            id: connection.id,
            createdDate: isoDate(connection.createdDate),
            lastUsed: isoDate(Math.max(connection.createdDate, Math.min(connection.lastUsed, event.at))),
            mfaEnabled: connection.mfaEnabled,
            status: eventStatus(eventType, connection.status),
            institution: {
              type: "institution",
              id: connection.institutionId,
              links: { self: `${base}/institutions/${connection.institutionId}` },
            },
            links: {
              accounts: `${userUrl}/accounts?${byInstitution}`,
              self: connectionUrl,
              transactions: `${userUrl}/transactions?${byInstitution}`,
            },
          };
  }
  return {
    type: "event",
    id,
    createdDate: isoDate(event.at),
    entity,
    eventType,
    userId: user.id,
    dataRef,
    data,
    links: { self: `${base}/events/${id}` },
  };
}

/** The connection status an event's snapshot shows. */
function eventStatus(eventType: string, current: string): string {
  if (eventType === "created") return "pending";
  if (eventType === "activated") return "active";
  if (eventType === "invalidated") return "invalid";
  return current;
}

/** Connector path methods also accept the spelling in the spec's filter description ("open-banking"). */
export function normaliseMethod(method: string): string {
  return method === "open-banking" ? "openbanking" : method;
}

export const KNOWN_METHODS: readonly string[] = CONNECTOR_METHODS;
