// Plain rows (settings, domains, networks, users, aliases, access tables) → an immutable,
// validated Policy snapshot, or the list of what is wrong with them. Pure.
// Compile time is where everything is checked: parameter values by type, $references
// (cycles included), restriction names and their arguments, access-table actions, and
// the open-relay guard (Postfix refuses to start without a default-deny restriction for
// relaying; Postern also probes the draft as an untrusted client relaying outward).
// Lookups are built once for speed: domain and recipient sets are hash lookups, networks
// are prefix trees.
import { resolveAddress, type ResolvedAddress } from './address';
import { compileEngineSettings } from './engine-settings';
import { compileHeaderRewrite } from './header-rewrite';
import { findOpenRelay } from './open-relay-guard';
import type { CompiledRestriction, ListName, Policy } from './policy';
import { validateAccessAction } from './restrictions/access-maps';
import { DEFAULT_DENY, RESTRICTION_TABLE } from './restriction-table';
import { expandValue, ExpansionError } from './main-cf';
import { CidrMatcher, CidrPatternError, parseCidr, type CidrEntry } from './match/cidr';
import { DomainMatcher, normalizeDomain } from './match/domain';
import { parseIp } from './match/ip';
import {
  compatLevelNumber,
  defaultFor,
  PARAMETER_TABLE,
  parseBool,
  parseTime,
  splitList,
  validateValue,
} from './parameters';
import type { PolicyError, PolicyRows } from './types';

export const RESTRICTION_LISTS: readonly ListName[] = [
  'smtpd_client_restrictions',
  'smtpd_helo_restrictions',
  'smtpd_sender_restrictions',
  'smtpd_relay_restrictions',
  'smtpd_recipient_restrictions',
  'smtpd_data_restrictions',
  'smtpd_end_of_data_restrictions',
];

export type CompileResult =
  | { ok: true; policy: Policy; warnings: PolicyError[] }
  | { ok: false; errors: PolicyError[]; warnings: PolicyError[] };

/** Where each composite parameter's console-managed rows are appended. */
const ROW_BACKED = new Set(['mydestination', 'relay_domains', 'mynetworks']);

const hostDerivedNetworks = (style: string, hosts: PolicyRows['hostAddresses']): CidrEntry[] => {
  const out: CidrEntry[] = [];
  for (const h of hosts) {
    const ip = parseIp(h.address);
    if (!ip) continue;
    const width = ip.family === 4 ? 32 : 128;
    let prefix = width;
    if (style === 'subnet') prefix = Math.min(h.prefix, width);
    if (style === 'class') {
      if (ip.family === 6) prefix = Math.min(h.prefix, width);
      else {
        const first = ip.bytes[0]!;
        prefix = first < 128 ? 8 : first < 192 ? 16 : first < 224 ? 24 : 32;
      }
    }
    const bytes = ip.bytes.slice();
    for (let i = prefix; i < width; i++) bytes[i >> 3]! &= ~(1 << (7 - (i & 7)));
    out.push({ pattern: `${ip.family === 6 ? `[${h.address}]` : h.address}/${prefix}`, family: ip.family, bytes, prefix, negate: false });
  }
  return out;
};

export const compilePolicy = (rows: PolicyRows): CompileResult => {
  const errors: PolicyError[] = [];
  const warnings: PolicyError[] = [];
  const explicit: Record<string, string> = {};
  for (const [name, value] of Object.entries(rows.settings)) {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
      errors.push({ parameter: name, message: `"${name}" is not a valid parameter name` });
      continue;
    }
    explicit[name] = value;
  }
  // Names outside the registry are user-defined variables (accept_domain = …), as in Postfix,
  // and only make sense when something references them.
  for (const name of Object.keys(explicit)) {
    if (PARAMETER_TABLE.has(name)) continue;
    const used = Object.values(explicit).some((v) => new RegExp(`\\$\\{?\\(?${name.replace(/[.]/g, '\\.')}\\b`).test(v));
    if (!used) warnings.push({ parameter: name, message: `${name} is not a Postern parameter and nothing references it` });
  }

  const level = compatLevelNumber(explicit.compatibility_level ?? '0');
  if (Number.isNaN(level)) errors.push({ parameter: 'compatibility_level', message: `"${explicit.compatibility_level}" is not a level such as 3.6` });
  const lvl = Number.isNaN(level) ? 0 : level;

  const activeDomains = (kind: 'LOCAL' | 'RELAY') => rows.domains.filter((d) => d.active && d.kind === kind).map((d) => normalizeDomain(d.name));
  const rowValues: Record<string, string[]> = {
    mydestination: activeDomains('LOCAL'),
    relay_domains: activeDomains('RELAY'),
    mynetworks: rows.networks.map((n) => n.cidr),
  };

  const rawOf = (name: string): string | undefined => {
    const def = PARAMETER_TABLE.get(name);
    let base = explicit[name] ?? (def ? defaultFor(def, lvl) : undefined);
    if (name === 'mydomain' && explicit.mydomain === undefined) {
      const host = explicit.myhostname ?? 'localhost.localdomain';
      base = host.includes('.') ? host.slice(host.indexOf('.') + 1) : 'localdomain';
    }
    if (ROW_BACKED.has(name) && rowValues[name]!.length) {
      const extra = rowValues[name]!.join(', ');
      base = base ? `${base}, ${extra}` : extra;
    }
    return base;
  };

  const params: Record<string, string> = {};
  for (const [name, def] of PARAMETER_TABLE) {
    try {
      const undef = new Set<string>();
      params[name] = expandValue(rawOf(name) ?? '', rawOf, [name], undef);
      for (const u of undef) {
        if (name in explicit) warnings.push({ parameter: name, message: `$${u} is not a known parameter and expands to nothing` });
      }
    } catch (e) {
      errors.push({ parameter: name, message: e instanceof ExpansionError ? e.message : String(e) });
      params[name] = '';
      continue;
    }
    const problem = validateValue(def, params[name]!);
    if (problem) errors.push({ parameter: name, message: problem });
  }

  const bool = (n: string) => parseBool(params[n] ?? '') ?? false;
  const int = (n: string) => Number(params[n] ?? 0);
  const secs = (n: string) => parseTime(params[n] ?? '') ?? 0;
  const parentMatches = new Set(splitList(params.parent_domain_matches_subdomains ?? ''));

  // ── networks ──
  const explicitNetworks = splitList(params.mynetworks ?? '');
  const networkEntries: CidrEntry[] = [];
  for (const item of explicitNetworks) {
    try {
      networkEntries.push(parseCidr(item));
    } catch (e) {
      errors.push({ parameter: 'mynetworks', message: e instanceof CidrPatternError ? e.message : `"${item}": ${String(e)}` });
    }
  }
  for (const e of networkEntries) {
    const tooWide = e.family === 4 ? e.prefix < 8 : e.prefix < 16;
    if (tooWide && !e.negate) {
      errors.push({ parameter: 'mynetworks', message: `${e.pattern} trusts ${e.prefix === 0 ? 'the whole Internet' : 'a network wider than /' + (e.family === 4 ? 8 : 16)}: every client in it could relay (open relay)` });
    }
  }
  const style = params.mynetworks_style ?? 'host';
  const usingStyle = explicitNetworks.length === 0;
  const mynetworks = new CidrMatcher(usingStyle ? hostDerivedNetworks(style, rows.hostAddresses) : networkEntries);

  // cleanup's header rewriting: whose messages get a missing Message-Id:/Date: (header-rewrite.ts)
  const headerRewrite = compileHeaderRewrite(params, rows.hostAddresses, mynetworks, errors);
  // ── local delivery ──
  const { localTransport, delivery, listen, identity } = compileEngineSettings(params, errors);

  // ── peers trusted to speak for others: XCLIENT, XFORWARD, PROXY ──
  const peerList = (name: string) => {
    const entries: CidrEntry[] = [];
    for (const item of splitList(params[name] ?? '')) {
      try {
        entries.push(parseCidr(item));
      } catch (e) {
        errors.push({ parameter: name, message: e instanceof CidrPatternError ? `${e.message} (host names are not supported here)` : String(e) });
      }
    }
    return new CidrMatcher(entries);
  };
  const proxies = {
    xclient: peerList('smtpd_authorized_xclient_hosts'),
    xforward: peerList('smtpd_authorized_xforward_hosts'),
    proxyProtocol: peerList('postern_proxy_protocol_hosts'),
  };

  // ── domains ──
  const localDomains = new DomainMatcher(splitList(params.mydestination ?? ''), parentMatches.has('mydestination'));
  const relayDomains = new DomainMatcher(splitList(params.relay_domains ?? ''), parentMatches.has('relay_domains'));
  for (const list of ['mydestination', 'relay_domains'] as const) {
    for (const d of splitList(params[list] ?? '')) {
      if (/[:/]/.test(d)) errors.push({ parameter: list, message: `"${d}": lookup tables and files are not supported; add the domains in the console` });
    }
  }

  // ── access tables ──
  const accessTables = new Map<string, Map<string, string>>();
  // Network keys (192.0.2.0/24, [2001:db8::]/32), as a cidr: table would hold them: the
  // most specific network wins, after the exact keys.
  const networkKeys = new Map<string, { entry: CidrEntry; action: string }[]>();
  for (const e of rows.accessEntries) {
    const problem = validateAccessAction(e.action);
    if (problem) {
      errors.push({ parameter: `access table ${e.table}`, message: `${e.key}: ${problem}` });
      continue;
    }
    const key = e.key.trim().toLowerCase();
    if (key.includes('/')) {
      try {
        const entry = parseCidr(key);
        if (entry.negate) throw new CidrPatternError(`"${key}": "!" has no meaning in an access table`);
        networkKeys.set(e.table, [...(networkKeys.get(e.table) ?? []), { entry, action: e.action.trim() }]);
      } catch (err) {
        errors.push({ parameter: `access table ${e.table}`, message: err instanceof CidrPatternError ? err.message : String(err) });
      }
      continue;
    }
    let t = accessTables.get(e.table);
    if (!t) accessTables.set(e.table, (t = new Map()));
    t.set(key, e.action.trim());
  }
  const accessNetworks = new Map<string, { matcher: CidrMatcher; actions: string[] }>();
  for (const [table, list] of networkKeys) {
    const sorted = [...list].sort((a, b) => b.entry.prefix - a.entry.prefix);
    accessNetworks.set(table, { matcher: new CidrMatcher(sorted.map((x) => x.entry)), actions: sorted.map((x) => x.action) });
    if (!accessTables.has(table)) accessTables.set(table, new Map());
  }

  // ── restriction lists ──
  const rblZones = new Set<string>();
  let senderDomainDns = false;
  const lists = {} as Record<ListName, CompiledRestriction[]>;
  for (const list of RESTRICTION_LISTS) {
    const tokens = splitList(params[list] ?? '');
    const compiled: CompiledRestriction[] = [];
    for (let i = 0; i < tokens.length; i++) {
      const name = tokens[i]!;
      const spec = RESTRICTION_TABLE[name];
      if (!spec) {
        errors.push({ parameter: list, message: `unknown or unsupported restriction "${name}"` });
        continue;
      }
      let arg: string | undefined;
      if (spec.arg) {
        arg = tokens[i + 1];
        if (!arg || RESTRICTION_TABLE[arg]) {
          errors.push({ parameter: list, message: `${name} needs ${spec.arg === 'table' ? 'an access table name' : 'a DNSBL zone'} after it` });
          continue;
        }
        i++;
        if (spec.arg === 'table' && !accessTables.has(arg)) {
          warnings.push({ parameter: list, message: `${name} ${arg}: the access table is empty` });
        }
        if (spec.arg === 'zone') rblZones.add(arg.split('=')[0]!.toLowerCase());
      }
      if (name === 'reject_unknown_sender_domain') senderDomainDns = true;
      compiled.push({ name, arg, label: arg ? `${name} ${arg}` : name, fn: spec.fn });
    }
    lists[list] = compiled;
  }

  const relayish = [...lists.smtpd_relay_restrictions, ...lists.smtpd_recipient_restrictions];
  if (!relayish.some((r) => DEFAULT_DENY.has(r.name))) {
    errors.push({
      parameter: 'smtpd_recipient_restrictions',
      message:
        'in smtpd_relay_restrictions or smtpd_recipient_restrictions, specify at least one working instance of: reject_unauth_destination, defer_unauth_destination, reject or defer (without one the server is an open relay)',
    });
  }

  // ── users and aliases ──
  const localRecipients = new Set<string>();
  const mailboxes = new Map<string, { quotaBytes: number }>();
  const senderOwners = new Map<string, Set<string>>();
  const own = (addr: string, login: string) => {
    let s = senderOwners.get(addr);
    if (!s) senderOwners.set(addr, (s = new Set()));
    s.add(login);
  };
  for (const u of rows.users) {
    if (!u.active) continue;
    const a = u.address.toLowerCase();
    if (u.hasMailbox) {
      localRecipients.add(a);
      mailboxes.set(a, { quotaBytes: u.quotaBytes ?? 0 });
    }
    own(a, a);
  }
  const aliases = new Map<string, string[]>();
  for (const al of rows.aliases) {
    if (al.active === false) continue;
    const a = al.address.toLowerCase();
    localRecipients.add(a);
    const targets = aliases.get(a);
    if (targets) targets.push(al.target.toLowerCase());
    else aliases.set(a, [al.target.toLowerCase()]);
    const target = al.target.toLowerCase();
    if (localRecipients.has(target) || senderOwners.has(target)) own(a, target);
  }

  const secOpts = new Set(splitList(params.smtpd_sasl_security_options ?? ''));
  const myorigin = normalizeDomain(params.myorigin ?? '');
  const mydomain = normalizeDomain(params.mydomain ?? '');
  const resolveOpts = {
    isLocalDomain: (d: string) => localDomains.match(d).matched || isOwnLiteral(d, rows.hostAddresses),
    isRelayDomain: (d: string) => relayDomains.match(d).matched,
    myorigin,
    mydomain,
    percentHack: bool('allow_percent_hack'),
    swapBangpath: bool('swap_bangpath'),
    appendDotMydomain: bool('append_dot_mydomain'),
  };

  let lastResolved: { input: string; result: ResolvedAddress } | undefined;
  if (errors.length) return { ok: false, errors, warnings };

  const policy: Policy = Object.freeze({
    revision: rows.revision,
    params: Object.freeze(params),
    explicit: Object.freeze(explicit),
    compatLevel: lvl,
    myhostname: params.myhostname ?? 'localhost',
    mydomain,
    myorigin,
    localDomains,
    relayDomains,
    mynetworks,
    mynetworksSource: usingStyle ? (`mynetworks_style = ${style}` as const) : ('mynetworks' as const),
    parentMatches,
    lists,
    relayBeforeRecipient: bool('smtpd_relay_before_recipient_restrictions'),
    delayReject: bool('smtpd_delay_reject'),
    heloRequired: bool('smtpd_helo_required'),
    rejectUnlistedRecipient: bool('smtpd_reject_unlisted_recipient'),
    allowUntrustedRouting: bool('allow_untrusted_routing'),
    accessTables,
    accessNetworks,
    senderOwners,
    codes: {
      relay: int('relay_domains_reject_code'),
      reject: int('reject_code'),
      defer: int('defer_code'),
      accessReject: int('access_map_reject_code'),
      accessDefer: int('access_map_defer_code'),
      unknownLocalRecipient: int('unknown_local_recipient_reject_code'),
      unknownAddress: int('unknown_address_reject_code'),
      nonFqdn: int('non_fqdn_reject_code'),
      rbl: int('maps_rbl_reject_code'),
    },
    sasl: {
      enabled: bool('smtpd_sasl_auth_enable'),
      noanonymous: secOpts.has('noanonymous'),
      noplaintext: secOpts.has('noplaintext'),
      tlsAuthOnly: bool('smtpd_tls_auth_only'),
      brokenClients: bool('broken_sasl_auth_clients'),
      localDomain: normalizeDomain(params.smtpd_sasl_local_domain ?? ''),
    },
    limits: {
      messageSizeLimit: int('message_size_limit'),
      queueMinfree: int('queue_minfree'),
      recipientLimit: int('smtpd_recipient_limit'),
      recipientOvershootLimit: int('smtpd_recipient_overshoot_limit'),
      errorSleepMs: secs('smtpd_error_sleep_time') * 1000,
      softErrorLimit: int('smtpd_soft_error_limit'),
      hardErrorLimit: int('smtpd_hard_error_limit'),
      junkCommandLimit: int('smtpd_junk_command_limit'),
      commandTimeoutMs: secs('smtpd_timeout') * 1000,
      sessionDeadlineMs: secs('postern_session_deadline') * 1000,
      greetPauseMs: secs('postern_greet_pause') * 1000,
      authFailureLimit: int('postern_auth_failure_limit'),
      authFailureWindowMs: secs('postern_auth_failure_window') * 1000,
      clientConnectionLimit: int('smtpd_client_connection_count_limit'),
      clientRateLimit: int('smtpd_client_connection_rate_limit'),
    },
    proxies,
    rejectBareNewline: (params.smtpd_forbid_bare_newline ?? 'normalize') === 'reject',
    localTransport,
    delivery,
    listen,
    identity,
    disableVrfy: bool('disable_vrfy_command'),
    headerRewrite,
    // Not expanded at compile time: its $macros (lookup_id, client_address …) are per reply.
    rejectFooter: explicit.smtpd_reject_footer ?? '',
    needs: { senderDomainDns, rblZones: [...rblZones] },
    isLocalRecipient: (address: string) => localRecipients.has(address.toLowerCase()),
    aliasTargets: (address: string) => aliases.get(address.toLowerCase()),
    mailbox: (address: string) => mailboxes.get(address.toLowerCase()),
    resolve: (address: string) => {
      // One RCPT decision resolves its recipient in more than one restriction.
      if (address !== lastResolved?.input) lastResolved = { input: address, result: resolveAddress(address, resolveOpts) };
      return lastResolved.result;
    },
  });
  const openRelay = findOpenRelay(policy);
  if (openRelay) return { ok: false, errors: [openRelay], warnings };
  return { ok: true, policy, warnings };
};

const isOwnLiteral = (domain: string, hosts: PolicyRows['hostAddresses']) => {
  if (!domain.startsWith('[') || !domain.endsWith(']')) return false;
  const ip = parseIp(domain);
  if (!ip) return false;
  return hosts.some((h) => {
    const hip = parseIp(h.address);
    return hip?.family === ip.family && hip.bytes.every((b, i) => b === ip.bytes[i]);
  });
};
