// One function per SMTP stage, each returning a Decision with its trace. Pure.
// With smtpd_delay_reject = yes the client, HELO and sender lists run at RCPT time, as
// in Postfix; checkRecipient then runs the relay and recipient lists in the order that
// smtpd_relay_before_recipient_restrictions sets, and finally the implicit
// reject_unlisted_recipient. A reject or defer from any list stops the checks.
import type { Policy } from './policy';
import { evaluateRestrictions } from './evaluate-restrictions';
import { checkRecipientListed } from './restrictions/unlisted-recipient';
import { replyNaming } from './evaluate-restrictions';
import type { ListName } from './restrictions/context';
import type { Decision, SmtpReply, Stage, StageContext, TraceStep, Verdict } from './types';

const OK_REPLIES: Record<Stage, SmtpReply> = {
  connect: { code: 220, enhanced: '', text: 'ready' },
  helo: { code: 250, enhanced: '', text: 'ok' },
  mail: { code: 250, enhanced: '2.1.0', text: 'Ok' },
  rcpt: { code: 250, enhanced: '2.1.5', text: 'Ok' },
  data: { code: 354, enhanced: '', text: 'End data with <CR><LF>.<CR><LF>' },
  auth: { code: 235, enhanced: '2.7.0', text: 'Authentication successful' },
};

/** smtpd_reject_footer, with its $macros; "\c" joins it to the last reply line. */
export const withFooter = (policy: Policy, reply: SmtpReply, ctx: StageContext): SmtpReply => {
  if (reply.code < 400 || !policy.rejectFooter) return reply;
  const macros: Record<string, string> = {
    lookup_id: ctx.lookupId ?? '',
    client_address: ctx.clientAddress,
    client_name: ctx.clientName,
    helo_name: ctx.helo ?? '',
    sender: ctx.sender ?? '',
    recipient: ctx.recipient ?? '',
    server_name: policy.myhostname,
    myhostname: policy.myhostname,
  };
  const footer = policy.rejectFooter.replace(/\$\{?([a-z_]+)\}?/g, (m, name: string) => macros[name] ?? m);
  if (footer.startsWith('\\c')) return { ...reply, text: `${reply.text}${footer.slice(2)}` };
  return { ...reply, text: `${reply.text}\n${footer.replace(/\\n/g, '\n')}` };
};

const decide = (policy: Policy, stage: Stage, v: Verdict, trace: TraceStep[], ctx: StageContext): Decision => {
  if (v.kind === 'reject' || v.kind === 'defer') {
    return { stage, action: v.kind, reply: withFooter(policy, v.reply, ctx), trace, by: v.by };
  }
  return { stage, action: 'accept', reply: OK_REPLIES[stage], trace, by: v.kind === 'ok' ? v.by : '' };
};

const runLists = (policy: Policy, lists: readonly ListName[], ctx: StageContext, trace: TraceStep[]): Verdict => {
  let last: Verdict = { kind: 'dunno' };
  for (const list of lists) {
    const v = evaluateRestrictions(policy, list, ctx, trace);
    if (v.kind === 'reject' || v.kind === 'defer') return v;
    if (v.kind === 'ok') last = v;
  }
  return last;
};

export const checkConnect = (policy: Policy, ctx: StageContext): Decision => {
  const trace: TraceStep[] = [];
  if (policy.delayReject) {
    trace.push({ fact: 'smtpd_delay_reject = yes: client restrictions wait for RCPT TO' });
    return decide(policy, 'connect', { kind: 'dunno' }, trace, ctx);
  }
  return decide(policy, 'connect', runLists(policy, ['smtpd_client_restrictions'], ctx, trace), trace, ctx);
};

export const checkHelo = (policy: Policy, ctx: StageContext): Decision => {
  const trace: TraceStep[] = [];
  if (policy.delayReject) {
    trace.push({ fact: 'smtpd_delay_reject = yes: HELO restrictions wait for RCPT TO' });
    return decide(policy, 'helo', { kind: 'dunno' }, trace, ctx);
  }
  return decide(policy, 'helo', runLists(policy, ['smtpd_helo_restrictions'], ctx, trace), trace, ctx);
};

export const checkMail = (policy: Policy, ctx: StageContext): Decision => {
  const trace: TraceStep[] = [];
  if (policy.delayReject) {
    trace.push({ fact: 'smtpd_delay_reject = yes: sender restrictions wait for RCPT TO' });
    return decide(policy, 'mail', { kind: 'dunno' }, trace, ctx);
  }
  return decide(policy, 'mail', runLists(policy, ['smtpd_sender_restrictions'], ctx, trace), trace, ctx);
};

/** The lists RCPT TO runs, in order: [delayReject][relayBeforeRecipient]. */
const RCPT_LISTS = (() => {
  const delayed = ['smtpd_client_restrictions', 'smtpd_helo_restrictions', 'smtpd_sender_restrictions'] as const;
  const relayFirst = ['smtpd_relay_restrictions', 'smtpd_recipient_restrictions'] as const;
  const recipientFirst = ['smtpd_recipient_restrictions', 'smtpd_relay_restrictions'] as const;
  return {
    now: { relayFirst, recipientFirst },
    delayed: { relayFirst: [...delayed, ...relayFirst], recipientFirst: [...delayed, ...recipientFirst] },
  } satisfies Record<string, Record<string, readonly ListName[]>>;
})();

export const checkRecipient = (policy: Policy, ctx: StageContext): Decision => {
  const trace: TraceStep[] = [];
  const lists = RCPT_LISTS[policy.delayReject ? 'delayed' : 'now'][policy.relayBeforeRecipient ? 'relayFirst' : 'recipientFirst'];
  const v = runLists(policy, lists, ctx, trace);
  if (v.kind === 'reject' || v.kind === 'defer') return decide(policy, 'rcpt', v, trace, ctx);
  if (policy.rejectUnlistedRecipient) {
    const naming = replyNaming('smtpd_recipient_restrictions', ctx);
    const { verdict, fact } = checkRecipientListed(
      { policy, ctx, list: 'smtpd_recipient_restrictions', ...naming },
      'smtpd_reject_unlisted_recipient',
    );
    trace.push({ restriction: 'smtpd_reject_unlisted_recipient', fact });
    if (verdict.kind !== 'dunno') return decide(policy, 'rcpt', verdict, trace, ctx);
  }
  return decide(policy, 'rcpt', v, trace, ctx);
};

export const checkData = (policy: Policy, ctx: StageContext): Decision => {
  const trace: TraceStep[] = [];
  return decide(policy, 'data', runLists(policy, ['smtpd_data_restrictions'], ctx, trace), trace, ctx);
};

/**
 * VRFY (disable_vrfy_command = no), as Postfix's vrfy_cmd(): the address goes through the
 * recipient checks of RCPT TO (an unknown local user gets 550 5.1.1, a relay attempt 554
 * 5.7.1), and an accepted one gets the non-committal 252 with the address.
 */
export const checkVrfy = (policy: Policy, ctx: StageContext, arg: string): SmtpReply => {
  const raw = arg.trim();
  if (!raw) return { code: 501, enhanced: '5.5.4', text: 'Syntax: VRFY address [SMTPUTF8]' };
  const address = raw.replace(/^<(.*)>$/, '$1');
  const d = checkRecipient(policy, { ...ctx, recipient: address });
  if (d.action !== 'accept') return d.reply;
  return { code: 252, enhanced: '2.0.0', text: address };
};

/** At end of DATA, with the checks on arrival in ctx.auth (smtpd_end_of_data_restrictions). */
export const checkEndOfData = (policy: Policy, ctx: StageContext): Decision => {
  const trace: TraceStep[] = [];
  return decide(policy, 'data', runLists(policy, ['smtpd_end_of_data_restrictions'], ctx, trace), trace, ctx);
};

/** SASL mechanisms to advertise (RFC 4954); none when AUTH is off or needs TLS first. */
export const offeredMechanisms = (policy: Policy, secure: boolean): string[] => {
  if (!policy.sasl.enabled || (policy.sasl.tlsAuthOnly && !secure)) return [];
  return policy.sasl.noplaintext ? [] : ['PLAIN', 'LOGIN'];
};

export type AuthAttempt = { mechanism: string; secure: boolean; inTransaction: boolean; authenticated: boolean };

/** May this AUTH command proceed to credential checking? Postfix's smtpd_sasl_proto.c order. */
export const checkAuth = (policy: Policy, ctx: StageContext, a: AuthAttempt): Decision => {
  const trace: TraceStep[] = [];
  const refuse = (code: number, enhanced: string, text: string, fact: string): Decision => {
    trace.push({ fact });
    return { stage: 'auth', action: 'reject', reply: withFooter(policy, { code, enhanced, text }, ctx), trace, by: '' };
  };
  if (!policy.sasl.enabled) return refuse(503, '5.5.1', 'Error: authentication not enabled', 'smtpd_sasl_auth_enable = no');
  if (policy.sasl.tlsAuthOnly && !a.secure) {
    return refuse(503, '5.5.1', 'Error: authentication not enabled', 'smtpd_tls_auth_only = yes and the session is not encrypted');
  }
  if (a.authenticated) return refuse(503, '5.5.1', 'Error: already authenticated', 'the session is already authenticated');
  if (a.inTransaction) return refuse(503, '5.5.1', 'Error: MAIL transaction in progress', 'AUTH is not allowed during a mail transaction');
  const mech = a.mechanism.toUpperCase();
  if (!offeredMechanisms(policy, a.secure).includes(mech)) {
    const why = mech === 'ANONYMOUS' && policy.sasl.noanonymous ? 'noanonymous forbids ANONYMOUS' : policy.sasl.noplaintext ? 'noplaintext forbids plaintext mechanisms' : `${mech} is not offered`;
    return refuse(535, '5.7.8', 'Error: authentication failed: Invalid authentication mechanism', why);
  }
  trace.push({ fact: `${mech} allowed; checking credentials` });
  return { stage: 'auth', action: 'accept', reply: OK_REPLIES.auth, trace, by: '' };
};

