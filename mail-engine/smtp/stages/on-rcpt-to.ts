// RCPT TO: recipient limit, DNS facts the policy needs (fetched here: the evaluator is
// pure), then checkRecipient on the snapshot pinned at MAIL FROM. Every refusal is logged
// with its trace; past smtpd_soft_error_limit each refusal waits smtpd_error_sleep_time.
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import { splitAddress, stripSourceRoute } from '../../policy/address';
import { checkRecipient } from '../../policy/check-stage';
import type { Policy } from '../../policy/policy';
import { rblQueryName, splitRblArg } from '../../policy/restrictions/rbl-client';
import type { DnsFacts } from '../../policy/types';
import type { EngineContext } from '../engine-context';
import { count, getState, sessionFacts } from '../session-state';
import { unsupportedOption } from './on-mail-from';
import { SmtpError } from '../smtp-error';

const NO_OPTIONS: ReadonlySet<string> = new Set();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A DNS answer within `ms`, or ETIMEOUT; the timer ends with the lookup (none outlives it). */
export const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' })), ms);
  });
  return Promise.race([p, expiry]).finally(() => clearTimeout(timer));
};

const fetchDnsFacts = async (ctx: EngineContext, policy: Policy, clientAddress: string, sender: string): Promise<DnsFacts> => {
  const facts: DnsFacts = {};
  const jobs: Promise<void>[] = [];
  if (policy.needs.senderDomainDns && sender) {
    const { domain } = splitAddress(stripSourceRoute(sender));
    if (domain) {
      jobs.push(
        (async () => {
          const tries = [ctx.resolver.resolveMx(domain) as Promise<unknown[]>, ctx.resolver.resolve4(domain), ctx.resolver.resolve6(domain)].map((p) => withTimeout<unknown[]>(p, 5000));
          const results = await Promise.allSettled(tries);
          if (results.some((r) => r.status === 'fulfilled' && (r.value as unknown[]).length)) facts.senderDomain = 'ok';
          else if (results.every((r) => r.status === 'rejected' && ['ENOTFOUND', 'ENODATA'].includes((r.reason as { code?: string }).code ?? ''))) facts.senderDomain = 'not-found';
          else facts.senderDomain = 'tempfail';
        })(),
      );
    }
  }
  for (const zoneArg of policy.needs.rblZones) {
    const { zone } = splitRblArg(zoneArg);
    const q = rblQueryName(clientAddress, zone);
    if (!q) continue;
    facts.rbl ??= {};
    jobs.push(
      withTimeout(ctx.resolver.resolve4(q), 5000).then(
        (addresses) => void (facts.rbl![zone] = { addresses }),
        (e: { code?: string }) => void (facts.rbl![zone] = e.code === 'ENOTFOUND' || e.code === 'ENODATA' ? { addresses: [] } : 'tempfail'),
      ),
    );
  }
  await Promise.all(jobs);
  return facts;
};

export const onRcptTo = async (ctx: EngineContext, address: SMTPServerAddress, session: SMTPServerSession): Promise<void> => {
  const state = getState(session);
  const policy = state.policy;
  if (!policy) throw new SmtpError(451, '4.3.0', 'Error: server configuration problem');
  const base = sessionFacts(state, session);
  const sender = base.sender;
  // DSN is not offered, so RCPT TO takes no parameters (NOTIFY=, ORCPT= included).
  const unsupported = unsupportedOption(address.args as Record<string, string | boolean> | false, NO_OPTIONS);
  if (unsupported) {
    count(state, 'rcpt', false);
    throw new SmtpError(555, '5.5.4', `Unsupported option: ${unsupported}`);
  }
  if (state.rcptCount >= policy.limits.recipientLimit) {
    count(state, 'rcpt', false);
    // Postfix: the recipients accepted so far are kept (the client sends them in this
    // transaction and the rest in the next), and overshooting is not an error until
    // smtpd_recipient_overshoot_limit.
    if (state.rcptOvershoot++ < policy.limits.recipientOvershootLimit) state.forgiveNextError = true;
    throw new SmtpError(452, '4.5.3', 'Error: too many recipients');
  }
  const needsDns = policy.needs.senderDomainDns || policy.needs.rblZones.length > 0;
  const dns = needsDns ? await fetchDnsFacts(ctx, policy, state.clientAddress, sender) : undefined;
  const d = checkRecipient(policy, { ...base, recipient: address.address, dns });
  state.lastTrace = d.trace;
  if (d.action === 'accept') {
    count(state, 'rcpt', true);
    state.rcptCount++;
    return;
  }
  count(state, 'rcpt', false);
  ctx.logger.emit({ event: 'smtp.rejected', status: 'rejected', command: 'RCPT', ...base, recipient: address.address, code: d.reply.code, enhanced: d.reply.enhanced, text: d.reply.text, trace: d.trace });
  if (state.errors + 1 >= policy.limits.softErrorLimit) await sleep(policy.limits.errorSleepMs);
  throw SmtpError.from(d.reply);
};
