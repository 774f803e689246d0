import { openApiDocument } from "@/lib/api-keys/openapi";

// The partner API's OpenAPI document: public (it describes the API, holds no data).
export function GET(): Response {
  return Response.json(openApiDocument, { headers: { "Cache-Control": "no-store" } });
}
