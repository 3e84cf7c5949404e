// SASL credential lookups: the same User rows and argon2id hashes the console uses, the
// user's app passwords, and whether the user has a second factor (then only app passwords
// are accepted: the main password never works in an SMTP session of a 2FA user).
import type { Db } from '../../prisma/client';

export type CredentialRecord = {
  address: string;
  passwordHash: string;
  active: boolean;
  secondFactor: boolean;
  appPasswords: { id: number; hash: string }[];
};
export type CredentialStore = {
  findByAddress(address: string): Promise<CredentialRecord | null>;
  /** Notes an app password's last use (time and client), best effort. */
  appPasswordUsed(id: number, clientAddress: string): Promise<void>;
};

export const createPrismaCredentialStore = (db: Db): CredentialStore => ({
  findByAddress: async (address) => {
    const a = address.toLowerCase();
    const [user, factors, appPasswords] = await Promise.all([
      db.user.findUnique({ where: { address: a }, select: { address: true, passwordHash: true, active: true } }),
      db.secondFactor.count({ where: { userAddress: a, confirmedAt: { not: null } } }),
      db.appPassword.findMany({ where: { userAddress: a }, select: { id: true, hash: true }, orderBy: [{ lastUsedAt: 'desc' }, { id: 'desc' }] }),
    ]);
    return user ? { ...user, secondFactor: factors > 0, appPasswords } : null;
  },
  appPasswordUsed: async (id, clientAddress) => {
    await db.appPassword.update({ where: { id }, data: { lastUsedAt: new Date(), lastUsedAddress: clientAddress.slice(0, 100) } }).catch(() => undefined);
  },
});
