import "server-only";

import {
  BasiqNetworkError,
  BasiqSchemaError,
  isBasiqError,
  isBasiqKeyRefused,
  isTokenFailure,
  KEY_REFUSED_MESSAGE,
} from "@/lib/basiq/errors";

/** What a page says when Basiq failed: a plain sentence and Basiq's reference, nothing else from the error. */
export interface BasiqProblemDTO {
  message: string;
  correlationId: string | null;
}

export function basiqProblem(e: unknown): BasiqProblemDTO {
  if (!isBasiqError(e)) return { message: "Basiq could not be reached.", correlationId: null };
  const message = isBasiqKeyRefused(e)
    ? `${KEY_REFUSED_MESSAGE} (POST /token answered HTTP ${e.status}): check BASIQ_API_KEY. Nothing was asked about this page's data.`
    : isTokenFailure(e)
      ? "Basiq could not issue an access token right now (POST /token failed)."
      : e instanceof BasiqSchemaError
      ? "Basiq sent a response this console cannot read."
      : e instanceof BasiqNetworkError
        ? "Basiq could not be reached."
        : e.status && e.status >= 500
          ? `Basiq is unavailable (HTTP ${e.status}).`
          : e.status === 429
            ? "Basiq is rate-limiting us right now."
            : e.status
              ? `Basiq answered HTTP ${e.status} (${e.code ?? "error"}).`
              : "Basiq did not answer in time.";
  return { message, correlationId: e.correlationId ?? null };
}
