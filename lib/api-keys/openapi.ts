// The OpenAPI document of the console's machine API (served at /api/v1/openapi.json). Kept beside the handler it
// describes; lib/api-keys/api.test.ts checks the handler's answers against it.
import { USER_CHECK_RATE_LIMIT } from "./constants";

const error = {
  type: "object",
  required: ["error", "message"],
  properties: { error: { type: "string" }, message: { type: "string" } },
} as const;

const errorResponse = (description: string) => ({ description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } });

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Basiq admin console — partner API",
    version: "1.0.0",
    description:
      "For the partner's back end. Call the user check when your user signs in: it reads the user's Basiq jobs once, " +
      "stores them in the console, and answers per connection with the sentence to show your user and what to offer. " +
      `Authenticate with an API key an administrator created on the console's API keys page. At most ${USER_CHECK_RATE_LIMIT} requests a second per key.`,
  },
  servers: [{ url: "/" }],
  components: {
    securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "A console API key (bqk_…), scope user-check." } },
    schemas: {
      Error: error,
      ConnectionCheck: {
        type: "object",
        required: ["connectionId", "status", "lastSuccess", "failing", "userMessage", "action"],
        properties: {
          connectionId: { type: "string" },
          status: { type: "string", description: "The newest job's outcome.", enum: ["success", "failed", "in-progress", "pending"] },
          lastSuccess: { type: ["string", "null"], format: "date-time" },
          failing: {
            type: ["object", "null"],
            required: ["code", "step"],
            properties: { code: { type: ["string", "null"] }, step: { type: ["string", "null"] } },
          },
          userMessage: { type: "string", description: "The exact sentence to show your user." },
          action: { type: "string", enum: ["none", "reconnect", "wait", "contact-support"] },
        },
      },
      UserCheck: {
        type: "object",
        required: ["userId", "checkedAt", "connections"],
        properties: {
          userId: { type: "string" },
          checkedAt: { type: "string", format: "date-time" },
          connections: { type: "array", items: { $ref: "#/components/schemas/ConnectionCheck" } },
        },
      },
    },
  },
  security: [{ apiKey: [] }],
  paths: {
    "/api/v1/users/{userId}/check": {
      post: {
        operationId: "checkUser",
        summary: "Check a user's bank connections when they sign in",
        parameters: [{ name: "userId", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" } }],
        responses: {
          "200": { description: "The user's connections.", content: { "application/json": { schema: { $ref: "#/components/schemas/UserCheck" } } } },
          "400": errorResponse("The user id is malformed."),
          "401": errorResponse("No API key, or an unknown or revoked one."),
          "403": errorResponse("A console session cookie was sent (staff use the console), or the key's scope does not allow this."),
          "404": errorResponse("Basiq has no user with this id."),
          "429": errorResponse("Over the key's rate limit; see Retry-After."),
          "502": errorResponse("Basiq could not be reached."),
        },
      },
    },
  },
} as const;
