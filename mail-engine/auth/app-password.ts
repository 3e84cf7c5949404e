// App passwords: 16 random letters and digits in four groups (about 79 bits), made by the
// server and shown once. Spaces, dashes and case do not matter when one is typed, so a
// candidate can be told apart from a person's password before any hash is computed.
import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export const newAppPassword = () => {
  const s = Array.from(randomBytes(16), (b) => ALPHABET[b % ALPHABET.length]).join('');
  return s.match(/.{4}/g)!.join('-');
};

/** The canonical form that is hashed, or null when the text cannot be an app password. */
export const canonicalAppPassword = (typed: string) => {
  const c = typed.toLowerCase().replace(/[\s-]/g, '');
  return c.length === 16 && /^[a-hj-km-np-z2-9]+$/.test(c) ? c : null;
};
