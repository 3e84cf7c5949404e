// Secrets Postern must read back (a TOTP seed, a DKIM private key) are sealed with
// AES-256-GCM under a key derived (HKDF-SHA256) from AUTH_SECRET — the secret every node
// already shares, kept 0600 in the data directory unless set in the environment. Each
// purpose gets its own key. Changing AUTH_SECRET makes sealed secrets unreadable (README).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const keyFor = (purpose: string, secret = process.env.AUTH_SECRET) => {
  if (!secret || secret.length < 16) throw new Error('AUTH_SECRET is not set: secrets cannot be sealed');
  return Buffer.from(hkdfSync('sha256', secret, 'postern secret box', purpose, 32));
};

export const seal = (plain: string, purpose: string, secret?: string) => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(purpose, secret), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
};

/** The plain text, or null when the box was sealed under another key or tampered with. */
export const unseal = (sealed: string, purpose: string, secret?: string): string | null => {
  const [v, iv, body, tag] = sealed.split('.');
  if (v !== 'v1' || !iv || body === undefined || !tag) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(purpose, secret), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return null;
  }
};
