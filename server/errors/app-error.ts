export type AppErrorCode =
  /** Input failed validation; fieldErrors says where. */
  | 'INVALID_INPUT'
  /** The change would produce a policy that does not compile (or is an open relay). */
  | 'POLICY_INVALID'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  /** The caller is signed in but their role does not allow this. */
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  /** Too many attempts; try again later. */
  | 'RATE_LIMITED';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly fieldErrors?: Record<string, string[]>,
  ) {
    super(message);
  }
}

export type ActionResult<T = undefined> =
  | { ok: true; data: T; message?: string }
  | { ok: false; code: AppErrorCode | 'INTERNAL'; message: string; fieldErrors?: Record<string, string[]> };

/** Known errors keep their message; anything else is logged here and never echoed. */
export const toActionError = (e: unknown): Extract<ActionResult, { ok: false }> => {
  if (e instanceof AppError) return { ok: false, code: e.code, message: e.message, fieldErrors: e.fieldErrors };
  console.error('postern: unexpected error', e);
  return { ok: false, code: 'INTERNAL', message: 'Something went wrong on the server; the error was logged.' };
};
