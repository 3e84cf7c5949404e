'use server';
// Server actions for DKIM keys on a domain's page: thin over server/services/dkim.
import 'server-only';
import { revalidatePath } from 'next/cache';
import { activateKey, generateKey, recordLine, retireKey, rotateKeys } from '../services/dkim/dkim-keys';
import { authedAction, str } from './_lib/authed-action';

const page = (domain: string) => revalidatePath(`/domains/${encodeURIComponent(domain)}`);

export const generateDkimAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const k = await generateKey(db, actor, { domain: str(f, 'domain'), algorithm: str(f, 'algorithm') === 'ED25519' ? 'ED25519' : 'RSA' });
  page(k.domain);
  return { data: null, message: `${k.state === 'ACTIVE' ? 'Signing now with' : 'Made (pending)'} ${k.selector}. Publish: ${recordLine(k)}` };
});

export const rotateDkimAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const made = await rotateKeys(db, actor, str(f, 'domain'));
  page(str(f, 'domain'));
  return { data: null, message: `New key(s) ${made.map((k) => k.selector).join(', ')} made. Publish their records (below), then activate each once DNS serves it.` };
});

export const activateDkimAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  const r = await activateKey(db, actor, str(f, 'domain'), str(f, 'selector'));
  page(r.key.domain);
  return { data: null, message: `${r.key.selector} signs now${r.replaced.length ? `; ${r.replaced.join(', ')} retiring (keep in DNS)` : ''}.` };
});

export const retireDkimAction = authedAction('ADMIN', async ({ actor, db }, f) => {
  await retireKey(db, actor, str(f, 'domain'), str(f, 'selector'));
  page(str(f, 'domain'));
  return { data: null, message: `${str(f, 'selector')} retired; its record may be removed from DNS.` };
});
