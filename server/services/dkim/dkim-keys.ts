// DKIM keys per local domain: generate (RSA 2048 or Ed25519), import, list, the DNS record
// to publish, rotation (a new PENDING key; activated once DNS serves its record; the old one
// RETIRING for postern_dkim_retire_after, then RETIRED) and an admin-only export. Private
// keys are sealed (mail-engine/auth/secret-box.ts) and never shown after creation. Every
// change commits a policy revision, so every engine node picks the keys up at once.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Db } from '../../../prisma/client';
import { loadPolicyRows } from '../../../prisma/policy-rows';
import { compilePolicy } from '../../../mail-engine/policy/compile-policy';
import { parseTime } from '../../../mail-engine/policy/parameters';
import { seal, unseal } from '../../../mail-engine/auth/secret-box';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';
import { commitPolicyChange } from '../policy/commit-policy-change';
import { settingValue } from '../settings/setting-value';
import { consoleResolver } from '../dns/console-resolver';

export const DKIM_BOX = 'dkim';
export type DkimAlgorithm = 'RSA' | 'ED25519';
export type DkimKeyView = { domain: string; selector: string; algorithm: DkimAlgorithm; state: string; publicKey: string; createdAt: Date; activatedAt: Date | null; retireAfter: Date | null; retiredAt: Date | null };

const SELECTOR = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

const view = (k: DkimKeyView): DkimKeyView => ({ domain: k.domain, selector: k.selector, algorithm: k.algorithm, state: k.state, publicKey: k.publicKey, createdAt: k.createdAt, activatedAt: k.activatedAt, retireAfter: k.retireAfter, retiredAt: k.retiredAt });

/** The p= value: SPKI for RSA; the raw 32-byte key for Ed25519 (RFC 8463). */
const publicValue = (pub: KeyObject, algorithm: DkimAlgorithm) => {
  const der = pub.export({ type: 'spki', format: 'der' });
  return (algorithm === 'ED25519' ? der.subarray(der.length - 32) : der).toString('base64');
};

export const recordValue = (k: { algorithm: string; publicKey: string }) => `v=DKIM1; k=${k.algorithm === 'ED25519' ? 'ed25519' : 'rsa'}; p=${k.publicKey}`;

/** `NAME TXT "VALUE"`, the value in quoted strings of at most 255 characters (RFC 1035). */
export const recordLine = (k: { domain: string; selector: string; algorithm: string; publicKey: string }) => {
  const value = recordValue(k);
  const parts = value.match(/.{1,255}/g) ?? [];
  return `${k.selector}._domainkey.${k.domain}. TXT ${parts.map((p) => `"${p}"`).join(' ')}`;
};

const localDomain = async (db: Db, name: string) => {
  const domain = name.trim().toLowerCase().replace(/\.$/, '');
  const compiled = compilePolicy(await loadPolicyRows(db));
  if (!compiled.ok || !compiled.policy.localDomains.match(domain).matched) throw new AppError('INVALID_INPUT', `${domain} is not a local domain: DKIM keys are for domains this server sends mail for`, { domain: ['not a local domain'] });
  return domain;
};

const defaultSelector = async (db: Db, domain: string, algorithm: DkimAlgorithm) => {
  const d = new Date();
  const base = `postern${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${algorithm === 'ED25519' ? 'e' : 'r'}`;
  for (let n = 1; ; n++) {
    const s = n === 1 ? base : `${base}-${n}`;
    if (!(await db.dkimKey.findUnique({ where: { domain_selector: { domain, selector: s } } }))) return s;
  }
};

const store = async (db: Db, actor: Actor, o: { domain: string; selector?: string; algorithm: DkimAlgorithm; key: KeyObject }, how: string) => {
  const domain = await localDomain(db, o.domain);
  const selector = (o.selector ?? (await defaultSelector(db, domain, o.algorithm))).toLowerCase();
  if (!SELECTOR.test(selector)) throw new AppError('INVALID_INPUT', `"${selector}" is not a valid selector (letters, digits, dashes and dots)`, { selector: ['invalid'] });
  if (await db.dkimKey.findUnique({ where: { domain_selector: { domain, selector } } })) throw new AppError('ALREADY_EXISTS', `${domain} already has a key with the selector ${selector}`);
  const hasActive = await db.dkimKey.count({ where: { domain, algorithm: o.algorithm, state: 'ACTIVE' } });
  // A domain's first key of an algorithm signs at once (nothing verified before it either);
  // a rotation's key waits until DNS serves it (activateKey).
  const state = hasActive ? 'PENDING' : 'ACTIVE';
  const pem = o.key.export({ type: 'pkcs8', format: 'pem' }).toString();
  const row = await commitPolicyChange(db, actor, { action: 'dkim.add', entity: 'dkim', entityId: `${selector}._domainkey.${domain}`, summary: `${how} DKIM key ${selector} for ${domain} (${o.algorithm.toLowerCase()}, ${state.toLowerCase()})` }, (tx) =>
    tx.dkimKey.create({
      data: { domain, selector, algorithm: o.algorithm, privateKey: seal(pem, DKIM_BOX), publicKey: publicValue(createPublicKey(o.key), o.algorithm), state, activatedAt: state === 'ACTIVE' ? new Date() : null },
    }),
  );
  return view(row.result as DkimKeyView);
};

export const generateKey = (db: Db, actor: Actor, o: { domain: string; selector?: string; algorithm?: DkimAlgorithm }) => {
  assertRole(actor, 'ADMIN');
  const algorithm = o.algorithm ?? 'RSA';
  const { privateKey } = algorithm === 'ED25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return store(db, actor, { ...o, algorithm, key: privateKey }, 'generated');
};

export const importKey = (db: Db, actor: Actor, o: { domain: string; selector: string; pem: string }) => {
  assertRole(actor, 'ADMIN');
  let key: KeyObject;
  try {
    key = createPrivateKey(o.pem);
  } catch (e) {
    throw new AppError('INVALID_INPUT', `not a private key in PEM: ${(e as Error).message}`);
  }
  const type = key.asymmetricKeyType;
  if (type !== 'rsa' && type !== 'ed25519') throw new AppError('INVALID_INPUT', `a ${type} key cannot sign DKIM (RSA or Ed25519 only)`);
  if (type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) < 1024) throw new AppError('INVALID_INPUT', 'RSA keys shorter than 1024 bits are refused by receivers (RFC 8301); use 2048');
  return store(db, actor, { domain: o.domain, selector: o.selector, algorithm: type === 'rsa' ? 'RSA' : 'ED25519', key }, 'imported');
};

export const listKeys = async (db: Db, actor: Actor, domain?: string) => {
  assertRole(actor, 'ADMIN');
  const rows = await db.dkimKey.findMany({ where: domain ? { domain: domain.toLowerCase() } : {}, orderBy: [{ domain: 'asc' }, { createdAt: 'asc' }] });
  return rows.map((r) => view(r as DkimKeyView));
};

const findKey = async (db: Db, domain: string, selector: string) => {
  const k = await db.dkimKey.findUnique({ where: { domain_selector: { domain: domain.toLowerCase(), selector: selector.toLowerCase() } } });
  if (!k) throw new AppError('NOT_FOUND', `no DKIM key ${selector} for ${domain}`);
  return k;
};

/** Rotation, step one: a new PENDING key of the same algorithm for each one that signs now. */
export const rotateKeys = async (db: Db, actor: Actor, domain: string) => {
  assertRole(actor, 'ADMIN');
  const active = await db.dkimKey.findMany({ where: { domain: domain.toLowerCase(), state: 'ACTIVE' } });
  if (!active.length) throw new AppError('INVALID_INPUT', `${domain} has no active DKIM key to rotate: generate one`);
  const made: DkimKeyView[] = [];
  for (const k of active) made.push(await generateKey(db, actor, { domain, algorithm: k.algorithm as DkimAlgorithm }));
  return made;
};

/** What DNS serves for a key's record now, and whether it is this key's. */
export const checkKeyDns = async (k: { domain: string; selector: string; publicKey: string }, dnsServer = process.env.POSTERN_DNS_SERVER) => {
  const r = consoleResolver(dnsServer);
  const name = `${k.selector}._domainkey.${k.domain}`;
  try {
    const found = (await r.resolveTxt(name)).map((parts) => parts.join(''));
    const p = found.map((t) => /(?:^|;)\s*p=([^;]*)/.exec(t)?.[1]?.replace(/\s+/g, '')).find((v) => v !== undefined);
    return { name, published: p === k.publicKey, found: found.join(' | ') || 'no TXT record' };
  } catch (e) {
    const code = (e as { code?: string }).code;
    return { name, published: false, found: code === 'ENOTFOUND' || code === 'ENODATA' ? 'no TXT record' : `the resolver did not answer (${code})` };
  }
};

/**
 * Rotation, step two: the new key signs once DNS serves its record (or `force`); the key it
 * replaces (same algorithm) is RETIRING: still published, no longer signing.
 */
export const activateKey = async (db: Db, actor: Actor, domain: string, selector: string, o: { force?: boolean; dnsServer?: string } = {}) => {
  assertRole(actor, 'ADMIN');
  const k = await findKey(db, domain, selector);
  if (k.state === 'ACTIVE') return { key: view(k as DkimKeyView), replaced: [] as string[] };
  if (k.state === 'RETIRED') throw new AppError('INVALID_INPUT', `${selector} was retired; generate a new key`);
  if (!o.force) {
    const dns = await checkKeyDns(k, o.dnsServer);
    if (!dns.published) throw new AppError('INVALID_INPUT', `DNS does not serve this key at ${dns.name} yet (found: ${dns.found}); publish the record, wait for it to spread, and try again`);
  }
  const retireAfter = new Date(Date.now() + (parseTime(await settingValue(db, 'postern_dkim_retire_after')) ?? 7 * 86400) * 1000);
  const replaced = await db.dkimKey.findMany({ where: { domain: k.domain, algorithm: k.algorithm, state: 'ACTIVE' } });
  await commitPolicyChange(db, actor, { action: 'dkim.activate', entity: 'dkim', entityId: `${k.selector}._domainkey.${k.domain}`, summary: `DKIM key ${k.selector} of ${k.domain} signs now${replaced.length ? `; ${replaced.map((r) => r.selector).join(', ')} retiring` : ''}` }, async (tx) => {
    await tx.dkimKey.updateMany({ where: { id: { in: replaced.map((r) => r.id) } }, data: { state: 'RETIRING', retireAfter } });
    await tx.dkimKey.update({ where: { id: k.id }, data: { state: 'ACTIVE', activatedAt: new Date() } });
  });
  return { key: view({ ...(k as DkimKeyView), state: 'ACTIVE' }), replaced: replaced.map((r) => r.selector) };
};

/** Stops a key for good (it may then be removed from DNS). */
export const retireKey = async (db: Db, actor: Actor, domain: string, selector: string) => {
  assertRole(actor, 'ADMIN');
  const k = await findKey(db, domain, selector);
  await commitPolicyChange(db, actor, { action: 'dkim.retire', entity: 'dkim', entityId: `${k.selector}._domainkey.${k.domain}`, summary: `DKIM key ${k.selector} of ${k.domain} retired` }, (tx) =>
    tx.dkimKey.update({ where: { id: k.id }, data: { state: 'RETIRED', retiredAt: new Date() } }),
  );
};

/** The private key, PEM, for an admin moving it elsewhere (audited). */
export const exportKey = async (db: Db, actor: Actor, domain: string, selector: string) => {
  assertRole(actor, 'ADMIN');
  const k = await findKey(db, domain, selector);
  const pem = unseal(k.privateKey, DKIM_BOX);
  if (!pem) throw new AppError('INVALID_INPUT', 'the key cannot be unsealed: AUTH_SECRET changed since it was made');
  await db.auditEntry.create({ data: { actor: actor.address, action: 'dkim.export', entity: 'dkim', entityId: `${k.selector}._domainkey.${k.domain}` } });
  return pem;
};
