import 'server-only';
import { getDb } from '../db';
import { describeFactors } from '../services/auth/second-factors';

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

/** The account page's security section: second factors, unused recovery codes, app passwords. */
export const getOwnSecurity = async (address: string) => {
  const db = await getDb();
  const [factors, appPasswords] = await Promise.all([
    describeFactors(db, address),
    db.appPassword.findMany({ where: { userAddress: address }, orderBy: { createdAt: 'desc' }, select: { id: true, label: true, createdAt: true, lastUsedAt: true, lastUsedAddress: true } }),
  ]);
  return { ...factors, appPasswords };
};
