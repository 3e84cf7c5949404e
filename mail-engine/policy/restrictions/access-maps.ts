// check_client_access / check_sender_access / check_recipient_access against the
// console-managed access tables (access(5) semantics, lookups in Postfix's order). Pure.
// Actions: OK (or all-numeric), DUNNO, REJECT [text], DEFER [text], 4NN/5NN text.
// Anything else is refused when the policy is compiled, never at run time.
import { splitAddress, stripSourceRoute } from '../address';
import { parseIp } from '../match/ip';
import { normalizeDomain } from '../match/domain';
import type { Verdict } from '../types';
import type { RestrictionContext, TracedRestriction } from '../policy';
import { DUNNO, refuse } from './reply';


export const ACCESS_ACTION = /^(OK|DUNNO|REJECT(\s.*)?|DEFER(\s.*)?|[45]\d\d(\s.*)?|\d+)$/i;

export const validateAccessAction = (action: string): string | undefined =>
  ACCESS_ACTION.test(action.trim()) && !/^[123]\d\d\s/.test(action.trim())
    ? undefined
    : `unsupported access action "${action}" (use OK, DUNNO, REJECT [text], DEFER [text] or a 4xx/5xx code with text)`;

const domainKeys = (domain: string, parentMatches: boolean) => {
  const keys = [domain];
  for (let dot = domain.indexOf('.'); dot >= 0; dot = domain.indexOf('.', dot + 1)) {
    keys.push(parentMatches ? domain.slice(dot + 1) : domain.slice(dot));
  }
  return keys;
};

export const addressKeys = (addr: string, parentMatches: boolean): string[] => {
  const { localPart, domain } = splitAddress(stripSourceRoute(addr));
  const lp = localPart.toLowerCase();
  if (!domain) return [lp, `${lp}@`];
  const d = normalizeDomain(domain);
  return [`${lp}@${d}`, ...domainKeys(d, parentMatches), `${lp}@`];
};

export const clientKeys = (address: string, name: string, parentMatches: boolean): string[] => {
  const keys: string[] = [];
  if (name && name !== 'unknown') keys.push(...domainKeys(normalizeDomain(name), parentMatches));
  const ip = parseIp(address);
  if (ip?.family === 4) {
    const parts = [...ip.bytes].map(String);
    for (let n = 4; n >= 1; n--) keys.push(parts.slice(0, n).join('.'));
  } else if (ip) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(((ip.bytes[i]! << 8) | ip.bytes[i + 1]!).toString(16));
    for (let n = 8; n >= 1; n--) keys.push(groups.slice(0, n).join(':'));
  } else {
    keys.push(address);
  }
  return keys;
};

const actionVerdict = (r: RestrictionContext, by: string, key: string, action: string, name: string, klass: string): Verdict => {
  const a = action.trim();
  const fact = `${r.arg} maps ${key} to "${a}"`;
  const word = a.split(/\s+/)[0]!.toUpperCase();
  const text = a.slice(word.length).trim();
  if (word === 'OK' || /^\d+$/.test(a)) return { kind: 'ok', by, fact };
  if (word === 'DUNNO') return DUNNO;
  if (word === 'REJECT') return refuse(by, fact, r.policy.codes.accessReject, '5.7.1', `<${name}>: ${klass} rejected: ${text || 'Access denied'}`);
  if (word === 'DEFER') return refuse(by, fact, r.policy.codes.accessDefer, '4.7.1', `<${name}>: ${klass} rejected: ${text || 'Access denied'}`);
  const code = Number(word);
  const m = /^([245]\.\d{1,3}\.\d{1,3})\s+(.*)$/.exec(text);
  return refuse(by, fact, code, m ? m[1]! : code >= 500 ? '5.7.1' : '4.7.1', `<${name}>: ${klass} rejected: ${m ? m[2] : text || 'Access denied'}`);
};

const lookup = (r: RestrictionContext, keys: string[]) => {
  const table = r.policy.accessTables.get(r.arg ?? '');
  for (const key of keys) {
    const action = table?.get(key);
    if (action !== undefined) return { key, action };
  }
  return undefined;
};

/** A client address against the table's network keys (most specific first). */
const networkLookup = (r: RestrictionContext, address: string) => {
  const nets = r.policy.accessNetworks.get(r.arg ?? '');
  const m = nets?.matcher.match(address);
  if (!nets || !m?.matched || !m.entry) return undefined;
  return { key: m.entry.pattern, action: nets.actions[nets.matcher.entries.indexOf(m.entry)]! };
};

const accessCheck =
  (by: string, subject: (r: RestrictionContext) => { keys: string[]; name: string; klass: string; address?: string } | undefined): TracedRestriction =>
  (r) => {
    const s = subject(r);
    if (!s) return { verdict: DUNNO, fact: `${by}: nothing to look up` };
    const hit = lookup(r, s.keys) ?? (s.address ? networkLookup(r, s.address) : undefined);
    if (!hit) return { verdict: DUNNO, fact: `${r.arg} has no entry for ${s.keys[0]}` };
    const verdict = actionVerdict(r, by, hit.key, hit.action, s.name, s.klass);
    return { verdict, fact: `${r.arg} maps ${hit.key} to "${hit.action}"` };
  };

export const checkClientAccess = accessCheck('check_client_access', ({ policy, ctx }) => ({
  keys: clientKeys(ctx.clientAddress, ctx.clientName, policy.parentMatches.has('smtpd_access_maps')),
  name: `${ctx.clientName}[${ctx.clientAddress}]`,
  klass: 'Client host',
  address: ctx.clientAddress,
}));

export const checkSenderAccess = accessCheck('check_sender_access', ({ policy, ctx }) =>
  ctx.sender === undefined
    ? undefined
    : { keys: ctx.sender === '' ? ['<>'] : addressKeys(ctx.sender, policy.parentMatches.has('smtpd_access_maps')), name: ctx.sender, klass: 'Sender address' },
);

export const checkRecipientAccess = accessCheck('check_recipient_access', ({ policy, ctx }) =>
  ctx.recipient === undefined
    ? undefined
    : { keys: addressKeys(ctx.recipient, policy.parentMatches.has('smtpd_access_maps')), name: ctx.recipient, klass: 'Recipient address' },
);

export const checkHeloAccess = accessCheck('check_helo_access', ({ policy, ctx }) =>
  ctx.helo ? { keys: [...domainKeys(normalizeDomain(ctx.helo), policy.parentMatches.has('smtpd_access_maps'))], name: ctx.helo, klass: 'Helo command' } : undefined,
);
