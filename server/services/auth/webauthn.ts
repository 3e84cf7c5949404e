// WebAuthn (passkeys and security keys) as a second factor, via @simplewebauthn/server. The
// relying party is the console's public origin (AUTH_URL when set, else the request's own,
// see relying-party.ts); the challenge of each ceremony lives in a LoginChallenge row and
// is used once; the signature counter is kept and must not go backwards.
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Db } from '../../../prisma/client';
import { AppError } from '../../errors/app-error';
import type { Actor } from '../actor';
import { consumeChallenge, findChallenge, openChallenge, setChallengeNonce } from './login-challenge';
import { confirmOwnPassword } from './reauthenticate';
import { afterFactorAdded, hasSecondFactor } from './second-factors';
import type { RelyingParty } from './relying-party';

const keysOf = (db: Db, userAddress: string) => db.secondFactor.findMany({ where: { userAddress, kind: 'WEBAUTHN', confirmedAt: { not: null } } });
const transportsOf = (s: string) => (s ? (s.split(',') as AuthenticatorTransportFuture[]) : undefined);
type AuthenticatorTransportFuture = 'ble' | 'cable' | 'hybrid' | 'internal' | 'nfc' | 'smart-card' | 'usb';

/** Registration, step one: options for navigator.credentials.create(). */
export const registrationOptions = async (db: Db, actor: Actor, rp: RelyingParty) => {
  const existing = await keysOf(db, actor.address);
  const options = await generateRegistrationOptions({
    rpName: 'Postern',
    rpID: rp.rpId,
    userName: actor.address,
    attestationType: 'none',
    excludeCredentials: existing.map((k) => ({ id: k.secret, transports: transportsOf(k.transports) })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await openChallenge(db, actor.address, 'REGISTER', options.challenge);
  return options;
};

/** Registration, step two: the browser's answer, checked; the password proves the person. */
export const register = async (db: Db, actor: Actor, rp: RelyingParty, input: { response: string; label: string; currentPassword: string }, client: string) => {
  await confirmOwnPassword(db, actor, input.currentPassword, client, 'second factor change');
  const pending = await db.loginChallenge.findFirst({ where: { userAddress: actor.address, purpose: 'REGISTER', expiresAt: { gt: new Date() } } });
  if (!pending || !(await consumeChallenge(db, pending.id))) throw new AppError('NOT_FOUND', 'That registration has expired; start again.');
  let response: RegistrationResponseJSON;
  try {
    response = JSON.parse(input.response) as RegistrationResponseJSON;
  } catch {
    throw new AppError('INVALID_INPUT', 'The browser’s answer could not be read.');
  }
  const result = await verifyRegistrationResponse({ response, expectedChallenge: pending.challenge, expectedOrigin: rp.origin, expectedRPID: rp.rpId, requireUserVerification: false }).catch(
    (e: Error) => {
      throw new AppError('INVALID_INPUT', `The security key’s answer was refused: ${e.message}`);
    },
  );
  if (!result.verified) throw new AppError('INVALID_INPUT', 'The security key’s answer was refused.');
  const { credential } = result.registrationInfo;
  const first = !(await hasSecondFactor(db, actor.address));
  const label = input.label.trim().slice(0, 60) || 'Security key';
  await db.secondFactor.create({
    data: {
      userAddress: actor.address,
      kind: 'WEBAUTHN',
      label,
      secret: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      counter: BigInt(credential.counter),
      transports: (credential.transports ?? []).join(','),
      confirmedAt: new Date(),
    },
  });
  return { recoveryCodes: await afterFactorAdded(db, actor, client, `security key "${label}" added`, first) };
};

/** Sign-in, second step: options for navigator.credentials.get(), bound to the login challenge. */
export const authenticationOptions = async (db: Db, challengeId: string, rp: RelyingParty) => {
  const c = await findChallenge(db, challengeId, 'LOGIN');
  if (!c) return null;
  const keys = await keysOf(db, c.userAddress);
  if (!keys.length) return null;
  const options = await generateAuthenticationOptions({
    rpID: rp.rpId,
    allowCredentials: keys.map((k) => ({ id: k.secret, transports: transportsOf(k.transports) })),
    userVerification: 'preferred',
  });
  await setChallengeNonce(db, c.id, options.challenge);
  return options;
};

/** Checks an assertion for the user of a login challenge whose nonce it signs. */
export const acceptAssertion = async (db: Db, userAddress: string, nonce: string, raw: string, rp: RelyingParty) => {
  if (!nonce) return false;
  let response: AuthenticationResponseJSON;
  try {
    response = JSON.parse(raw) as AuthenticationResponseJSON;
  } catch {
    return false;
  }
  const key = (await keysOf(db, userAddress)).find((k) => k.secret === response.id);
  if (!key) return false;
  const result = await verifyAuthenticationResponse({
    response,
    expectedChallenge: nonce,
    expectedOrigin: rp.origin,
    expectedRPID: rp.rpId,
    credential: { id: key.secret, publicKey: new Uint8Array(Buffer.from(key.publicKey, 'base64url')), counter: Number(key.counter), transports: transportsOf(key.transports) },
    requireUserVerification: false,
  }).catch(() => ({ verified: false as const }));
  if (!result.verified) return false;
  await db.secondFactor.update({ where: { id: key.id }, data: { counter: BigInt(result.authenticationInfo.newCounter), lastUsedAt: new Date() } });
  return true;
};
