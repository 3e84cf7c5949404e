// The DKIM keys that sign now (state ACTIVE), unsealed with this node's AUTH_SECRET. A key
// that cannot be unsealed (the secret differs from the node that made it) is skipped, and
// said once, so mail goes out unsigned rather than not at all.
import type { Db } from '../../prisma/client';
import { unseal } from '../auth/secret-box';
import type { SigningKey } from '../mail-auth/sign-message';

export const loadSigningKeys = async (db: Db, secret: string, warn: (line: string) => void): Promise<Map<string, SigningKey[]>> => {
  const rows = await db.dkimKey.findMany({ where: { state: 'ACTIVE' }, orderBy: [{ domain: 'asc' }, { algorithm: 'asc' }] });
  const keys = new Map<string, SigningKey[]>();
  for (const r of rows) {
    const pem = unseal(r.privateKey, 'dkim', secret);
    if (!pem) {
      warn(`warning: DKIM key ${r.selector} of ${r.domain} cannot be unsealed with this node's AUTH_SECRET: mail from ${r.domain} is not signed with it`);
      continue;
    }
    const list = keys.get(r.domain) ?? [];
    list.push({ domain: r.domain, selector: r.selector, algorithm: r.algorithm === 'ED25519' ? 'ed25519-sha256' : 'rsa-sha256', privateKey: pem });
    keys.set(r.domain, list);
  }
  return keys;
};
