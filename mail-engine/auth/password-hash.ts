// argon2id hashing: the one algorithm for console logins and SMTP AUTH.
// Pure apart from the CPU it burns; parameters follow OWASP's argon2id baseline
// (19 MiB, t=2, p=1) so a verify costs ~20 ms and brute force stays expensive.
import { hash, verify } from '@node-rs/argon2';

const ARGON2ID = 2; // @node-rs/argon2 Algorithm.Argon2id (a const enum, unusable under isolatedModules)
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

/** False for a wrong password and for a malformed or foreign hash: callers must not distinguish. */
export const verifyPassword = async (storedHash: string, password: string): Promise<boolean> => {
  if (!storedHash.startsWith('$argon2id$')) return false;
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
};

/** A hash of a random secret, verified against when the user does not exist, so timing does not reveal it. */
let dummyHash: Promise<string> | undefined;
export const getDummyHash = () => (dummyHash ??= hashPassword(`dummy-${Math.random()}-${Date.now()}`));
