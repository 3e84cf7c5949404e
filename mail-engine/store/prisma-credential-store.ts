// SASL credential lookups: the same User rows and argon2id hashes the console uses.
import type { Db } from '../../prisma/client';

export type CredentialRecord = { address: string; passwordHash: string; active: boolean };
export type CredentialStore = { findByAddress(address: string): Promise<CredentialRecord | null> };

export const createPrismaCredentialStore = (db: Db): CredentialStore => ({
  findByAddress: (address) =>
    db.user.findUnique({ where: { address: address.toLowerCase() }, select: { address: true, passwordHash: true, active: true } }),
});
