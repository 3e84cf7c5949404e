// The SASL backend: (login, password) → the user's address, or null. A missing user costs
// the same argon2 verification as a wrong password, so timing never reveals which it was.
// Store failures throw, and the caller answers 454 4.7.0 (temporary), never 535.
import type { CredentialStore } from '../store/prisma-credential-store';
import { getDummyHash, verifyPassword } from './password-hash';

export const verifyCredentials = async (store: CredentialStore, login: string, password: string): Promise<string | null> => {
  const user = await store.findByAddress(login);
  if (!user) {
    await verifyPassword(await getDummyHash(), password);
    return null;
  }
  const ok = await verifyPassword(user.passwordHash, password);
  return ok && user.active ? user.address : null;
};
