import 'server-only';
import type { Db } from '../../../prisma/client';
import { assertActor, type Gate } from '../../auth/require-role';
import { getDb } from '../../db';
import { toActionError, type ActionResult } from '../../errors/app-error';
import type { Actor, Role } from '../../services/actor';

/**
 * The one wrapper every server action uses: the caller's role is checked on the server
 * (from the database, not the cookie alone), then the handler runs; known errors come
 * back as ActionResult, unknown ones are logged and never echoed.
 */
export const authedAction =
  <T>(role: Role, handler: (ctx: { actor: Actor; db: Db }, form: FormData) => Promise<{ data: T; message?: string }>, gate: Gate = {}) =>
  async (_prev: ActionResult<T> | null, form: FormData): Promise<ActionResult<T>> => {
    try {
      const actor = await assertActor(role, gate);
      const db = await getDb();
      const { data, message } = await handler({ actor, db }, form);
      return { ok: true, data, message };
    } catch (e) {
      return toActionError(e);
    }
  };

export const str = (form: FormData, key: string) => {
  const v = form.get(key);
  return typeof v === 'string' ? v : '';
};
