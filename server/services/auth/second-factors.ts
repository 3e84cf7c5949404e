// Second factors for console sign-in: TOTP (RFC 6238, via otplib: 6 digits, 30 s, one step
// of clock skew either way, a code never accepted twice) and WebAuthn (webauthn.ts), with ten
// one-time recovery codes (argon2id) made when the first factor is confirmed. Adding or
// removing a factor asks for the current password; each change is a security event.
import { randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { Db } from '../../../prisma/client';
import { hashPassword, verifyPassword } from '../../../mail-engine/auth/password-hash';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';
import { confirmOwnPassword } from './reauthenticate';
import { seal, unseal } from '../../../mail-engine/auth/secret-box';
import { securityEvent } from './security-events';

const TOTP_BOX = 'totp';
const RECOVERY_CODES = 10;
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export const confirmedFactors = (db: Db, userAddress: string) =>
  db.secondFactor.findMany({ where: { userAddress, confirmedAt: { not: null } }, orderBy: { createdAt: 'asc' } });

export const hasSecondFactor = async (db: Db, userAddress: string) => (await db.secondFactor.count({ where: { userAddress, confirmedAt: { not: null } } })) > 0;

/** A user's factors and the number of unused recovery codes, for the account page. */
export const describeFactors = async (db: Db, userAddress: string) => {
  const [factors, codesLeft] = await Promise.all([
    confirmedFactors(db, userAddress),
    db.recoveryCode.count({ where: { userAddress, usedAt: null } }),
  ]);
  return { factors: factors.map((f) => ({ id: f.id, kind: f.kind as 'TOTP' | 'WEBAUTHN', label: f.label, createdAt: f.createdAt, lastUsedAt: f.lastUsedAt })), codesLeft };
};

/** Step one of TOTP enrolment: a fresh secret (unconfirmed until a code from it is entered). */
export const startTotp = async (db: Db, actor: Actor) => {
  const secret = generateSecret();
  await db.secondFactor.deleteMany({ where: { userAddress: actor.address, kind: 'TOTP', confirmedAt: null } });
  const row = await db.secondFactor.create({ data: { userAddress: actor.address, kind: 'TOTP', label: 'Authenticator app', secret: seal(secret, TOTP_BOX) } });
  const uri = generateURI({ issuer: 'Postern', label: actor.address, secret });
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  return { id: row.id, secret, uri, qrSvg };
};

const normaliseCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, '');

const newRecoveryCodes = async (db: Db, userAddress: string) => {
  const codes = Array.from({ length: RECOVERY_CODES }, () => {
    const bytes = randomBytes(12);
    const s = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
    return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`;
  });
  const hashes = await Promise.all(codes.map((c) => hashPassword(normaliseCode(c))));
  await db.$transaction([db.recoveryCode.deleteMany({ where: { userAddress } }), ...hashes.map((codeHash) => db.recoveryCode.create({ data: { userAddress, codeHash } }))]);
  return codes;
};

/** Checks one TOTP code against a factor, and marks its time step used. */
const acceptTotp = async (db: Db, factor: { id: number; secret: string; counter: bigint }, code: string) => {
  const secret = unseal(factor.secret, TOTP_BOX);
  if (!secret || !/^\d{6}$/.test(code)) return false;
  const r = await verify({ secret, token: code, epochTolerance: 30, afterTimeStep: Number(factor.counter) }).catch(() => ({ valid: false as const }));
  if (!r.valid || !('timeStep' in r)) return false;
  const step = BigInt(r.timeStep as number);
  // The conditional update is the replay guard: of two requests with one code, one wins.
  const won = await db.secondFactor.updateMany({ where: { id: factor.id, counter: { lt: step } }, data: { counter: step, lastUsedAt: new Date() } });
  return won.count === 1;
};

/** Step two: the first code proves the app has the secret; the password proves the person. */
export const confirmTotp = async (db: Db, actor: Actor, input: { id: number; code: string; currentPassword: string }, client: string) => {
  await confirmOwnPassword(db, actor, input.currentPassword, client, 'second factor change');
  const factor = await db.secondFactor.findFirst({ where: { id: input.id, userAddress: actor.address, kind: 'TOTP', confirmedAt: null } });
  if (!factor) throw new AppError('NOT_FOUND', 'That set-up has expired; start again.');
  if (!(await acceptTotp(db, factor, input.code.trim()))) throw new AppError('INVALID_INPUT', 'That code is not right; check the clock of the device and try the next code.', { code: ['That code is not right'] });
  const first = !(await hasSecondFactor(db, actor.address));
  await db.secondFactor.update({ where: { id: factor.id }, data: { confirmedAt: new Date() } });
  await securityEvent(db, { kind: 'security.second_factor_added', account: actor.address, client, text: 'authenticator app added' });
  return { recoveryCodes: first ? await newRecoveryCodes(db, actor.address) : null };
};

/** After a WebAuthn registration: recovery codes if this was the first factor. */
export const afterFactorAdded = async (db: Db, actor: Actor, client: string, text: string, first: boolean) => {
  await securityEvent(db, { kind: 'security.second_factor_added', account: actor.address, client, text });
  return first ? newRecoveryCodes(db, actor.address) : null;
};

export const removeFactor = async (db: Db, actor: Actor, input: { id: number; currentPassword: string }, client: string) => {
  await confirmOwnPassword(db, actor, input.currentPassword, client, 'second factor change');
  const factor = await db.secondFactor.findFirst({ where: { id: input.id, userAddress: actor.address } });
  if (!factor) throw new AppError('NOT_FOUND', 'No such second factor.');
  await db.secondFactor.delete({ where: { id: factor.id } });
  if (!(await hasSecondFactor(db, actor.address))) await db.recoveryCode.deleteMany({ where: { userAddress: actor.address } });
  await securityEvent(db, { kind: 'security.second_factor_removed', account: actor.address, client, text: `${factor.kind === 'TOTP' ? 'authenticator app' : `security key "${factor.label}"`} removed` });
};

export const regenerateRecoveryCodes = async (db: Db, actor: Actor, currentPassword: string, client: string) => {
  await confirmOwnPassword(db, actor, currentPassword, client, 'recovery codes');
  if (!(await hasSecondFactor(db, actor.address))) throw new AppError('INVALID_INPUT', 'Recovery codes come with a second factor; add one first.');
  const codes = await newRecoveryCodes(db, actor.address);
  await securityEvent(db, { kind: 'security.recovery_codes', account: actor.address, client, text: 'recovery codes replaced' });
  return codes;
};

/** An admin (or `postern user reset-2fa`) removes a user's factors: the way back for a lost phone. */
export const resetFactors = async (db: Db, actor: Actor, userAddress: string, client: string) => {
  assertRole(actor, 'ADMIN');
  const a = userAddress.trim().toLowerCase();
  const r = await db.secondFactor.deleteMany({ where: { userAddress: a } });
  await db.recoveryCode.deleteMany({ where: { userAddress: a } });
  await securityEvent(db, { kind: 'security.second_factor_removed', account: a, client, text: `all second factors removed by ${actor.address}` });
  await db.auditEntry.create({ data: { actor: actor.address, action: 'user.reset-2fa', entity: 'user', entityId: a, after: String(r.count) } });
  return r.count;
};

/** The second step of a sign-in with a typed code: a TOTP code, or else a recovery code. */
export const acceptCode = async (db: Db, userAddress: string, raw: string) => {
  const code = raw.trim();
  if (/^\d{6}$/.test(code)) {
    for (const f of await db.secondFactor.findMany({ where: { userAddress, kind: 'TOTP', confirmedAt: { not: null } } })) if (await acceptTotp(db, f, code)) return 'totp';
    return null;
  }
  const n = normaliseCode(code);
  if (n.length !== 12) return null;
  for (const rc of await db.recoveryCode.findMany({ where: { userAddress, usedAt: null } })) {
    if (await verifyPassword(rc.codeHash, n)) {
      const won = await db.recoveryCode.updateMany({ where: { id: rc.id, usedAt: null }, data: { usedAt: new Date() } });
      return won.count === 1 ? 'recovery' : null;
    }
  }
  return null;
};
