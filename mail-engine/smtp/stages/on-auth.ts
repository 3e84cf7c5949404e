// AUTH: the policy decides whether AUTH may proceed (enabled, TLS, transaction, mechanism);
// then throttling, then argon2id verification against the console's users. Failures never
// say whether the user exists; a store failure is 454 4.7.0, never 535.
import type { SMTPServerAuthentication, SMTPServerSession } from 'smtp-server';
import { verifyCredentials } from '../../auth/verify-credentials';
import { checkAuth } from '../../policy/check-stage';
import type { EngineContext } from '../engine-context';
import { count, getState } from '../session-state';
import { SmtpError } from '../smtp-error';
import type { SmtpReply } from '../../policy/types';

const FAILED: SmtpReply = { code: 535, enhanced: '5.7.8', text: 'Error: authentication failed: authentication failure' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const onAuth = async (
  ctx: EngineContext,
  auth: SMTPServerAuthentication & { authzid?: string },
  session: SMTPServerSession,
): Promise<{ user: string } | SmtpReply> => {
  const state = getState(session);
  const policy = state.policy ?? ctx.cache.policy;
  if (!policy) throw new SmtpError(454, '4.3.0', 'Temporary authentication failure');
  const method = auth.method.toUpperCase();
  // XCLIENT LOGIN=: the proxy (an authorized XCLIENT peer, checked before the command ran)
  // vouches for the login; there is no password to verify.
  if (method === 'XCLIENT') {
    const user = (auth.username ?? '').trim().toLowerCase();
    if (user) ctx.logger.emit({ event: 'auth.succeeded', status: 'info', clientAddress: state.clientAddress, clientName: state.clientName, saslUser: user, saslMethod: 'XCLIENT', lookupId: state.lookupId });
    return { user };
  }
  state.saslMethod = method;
  const gate = checkAuth(policy, { clientAddress: state.clientAddress, clientName: state.clientName, lookupId: state.lookupId }, {
    mechanism: method,
    secure: !!session.secure,
    inTransaction: !!session.envelope?.mailFrom,
    authenticated: !!session.user,
  });
  if (gate.action !== 'accept') {
    count(state, 'auth', false);
    throw SmtpError.from(gate.reply);
  }
  let login = (auth.username ?? '').trim();
  if (login && !login.includes('@') && policy.sasl.localDomain) login = `${login}@${policy.sasl.localDomain}`;
  // Logins are matched without regard to case (verifyCredentials); the log and the throttle's
  // count across nodes see one spelling.
  login = login.toLowerCase();
  const base = { clientAddress: state.clientAddress, clientName: state.clientName, saslUser: login, saslMethod: method, lookupId: state.lookupId };

  const throttle = await ctx.throttle.check(state.clientAddress, login);
  if (throttle.refuse) {
    // This client failed too often itself (never because others failed for this login).
    count(state, 'auth', false);
    ctx.logger.emit({ event: 'auth.throttled', status: 'rejected', ...base, code: 454, enhanced: '4.7.0', text: 'too many failed logins from this client' });
    await sleep(throttle.failDelayMs);
    throw new SmtpError(454, '4.7.0', 'Temporary authentication failure: too many failed attempts, try again later');
  }
  if (throttle.slowMs) {
    // The login is under attack from elsewhere and this address is not one it signed in
    // from: slowed (one attempt at a time), not refused, whatever the password.
    ctx.logger.emit({ event: 'auth.slowed', status: 'info', ...base, text: `slowed ${throttle.slowMs} ms: many failed logins for this account` });
    await ctx.throttle.slow(login, throttle.slowMs);
  }
  // An authorization id different from the login would let one user act as another.
  const impersonation = auth.authzid && auth.authzid.toLowerCase() !== (auth.username ?? '').toLowerCase() && auth.authzid.toLowerCase() !== login.toLowerCase();
  let user: string | null = null;
  if (login && auth.password && !impersonation) {
    try {
      user = await verifyCredentials(ctx.credentials, login, auth.password, state.clientAddress);
    } catch {
      count(state, 'auth', false);
      throw new SmtpError(454, '4.7.0', 'Temporary authentication failure');
    }
  }
  if (!user) {
    ctx.throttle.fail(state.clientAddress, login);
    count(state, 'auth', false);
    ctx.logger.emit({ event: 'auth.failed', status: 'rejected', ...base, code: 535, enhanced: '5.7.8', text: impersonation ? 'authorization id differs from login' : 'authentication failure' });
    await sleep(throttle.failDelayMs + 250);
    return FAILED;
  }
  ctx.throttle.succeed(state.clientAddress, login);
  count(state, 'auth', true);
  ctx.logger.emit({ event: 'auth.succeeded', status: 'info', ...base, saslUser: user });
  return { user };
};
