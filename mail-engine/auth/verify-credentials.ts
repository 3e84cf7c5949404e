// The SASL backend: (login, password) → the user's address, or null. A missing user costs
// the same argon2 verification as a wrong password, so timing never reveals which it was.
// A user with a second factor is accepted only with an app password (their main password
// is still verified, and ignored, so timing does not tell either). Store failures throw,
// and the caller answers 454 4.7.0 (temporary), never 535.
import type { CredentialStore } from '../store/prisma-credential-store';
import { canonicalAppPassword } from './app-password';
import { getDummyHash, verifyPassword } from './password-hash';

export const verifyCredentials = async (store: CredentialStore, login: string, password: string, clientAddress = ''): Promise<string | null> => {
  const user = await store.findByAddress(login);
  if (!user) {
    await verifyPassword(await getDummyHash(), password);
    return null;
  }
  const main = await verifyPassword(user.passwordHash, password);
  if (!user.active) return null;
  if (main && !user.secondFactor) return user.address;
  const candidate = canonicalAppPassword(password);
  if (!candidate) return null;
  for (const app of user.appPasswords) {
    if (await verifyPassword(app.hash, candidate)) {
      await store.appPasswordUsed(app.id, clientAddress);
      return user.address;
    }
  }
  return null;
};
