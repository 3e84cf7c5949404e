import 'server-only';
import { getDb } from '../db';

/** The signed-in user's own recent mail: what they sent, what was addressed to them, their logins. */
export const getOwnActivity = async (address: string) => {
  const db = await getDb();
  return db.deliveryEvent.findMany({
    where: { OR: [{ sender: address }, { recipient: address }, { saslUser: address }] },
    orderBy: { id: 'desc' },
    take: 25,
    select: { id: true, at: true, event: true, status: true, sender: true, recipient: true, text: true, queueId: true },
  });
};
