// What every server action returns to the browser: a message, never a database row or a stack trace.
export type ActionResult<T = void> =
  | { ok: true; data: T; message?: string }
  | { ok: false; message: string; fieldErrors?: Record<string, string[]>; /** 403: a refused origin. */ status?: 403 };
