'use server';
// Server actions for the queue: hold, release, retry, delete, flush. Thin: the role check is
// authedAction's, the rules are the services'.
import 'server-only';
import { revalidatePath } from 'next/cache';
import { deleteQueuedMessage, holdMessage, releaseMessage, retryQueue } from '../services/queue/manage-queue';
import { AppError } from '../errors/app-error';
import { authedAction, str } from './_lib/authed-action';

export const queueAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const id = str(f, 'id');
  const op = str(f, 'op');
  let message: string;
  if (op === 'delete') {
    await deleteQueuedMessage(db, actor, id);
    message = `${id} deleted.`;
  } else if (op === 'hold') {
    await holdMessage(db, actor, id);
    message = `${id} is on hold.`;
  } else if (op === 'release') {
    await releaseMessage(db, actor, id);
    message = `${id} released; delivery resumes within a second.`;
  } else if (op === 'retry') {
    await retryQueue(db, actor, id);
    message = `${id}: retrying now.`;
  } else if (op === 'flush') {
    message = `Retrying ${await retryQueue(db, actor)} recipient(s) now.`;
  } else {
    throw new AppError('INVALID_INPUT', `Unknown queue operation "${op}"`);
  }
  revalidatePath('/queue');
  return { data: null, message };
});
