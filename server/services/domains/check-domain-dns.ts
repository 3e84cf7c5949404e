// The DNS a mail domain needs, and what DNS says right now. For a domain the records to
// publish (a zone-file snippet to copy) and a live check of each, answered pass, fail or
// unknown (the resolver could not tell) with what was found. The resolver is the engine's:
// POSTERN_DNS_SERVER when set, otherwise the system's.
import { consoleResolver } from '../dns/console-resolver';
import type { Db } from '../../../prisma/client';
import { loadPolicyRows } from '../../../prisma/policy-rows';
import { compilePolicy } from '../../../mail-engine/policy/compile-policy';
import { AppError } from '../../errors/app-error';
import { assertRole, type Actor } from '../actor';
import { checkKeyDns, recordLine } from '../dkim/dkim-keys';

export type DnsCheck = { record: string; expected: string; found: string; status: 'pass' | 'fail' | 'unknown' };

const bare = (h: string) => h.toLowerCase().replace(/\.$/, '');

export const dnsRecordsFor = (domain: string, mailHost: string, relayhost = '') =>
  [
    `${domain}.\t3600\tIN\tMX\t10 ${mailHost}.`,
    `${mailHost}.\t3600\tIN\tA\t<this server's public IPv4 address>`,
    `${mailHost}.\t3600\tIN\tAAAA\t<this server's public IPv6 address, if any>`,
    // SPF: the addresses mail from the domain leaves from — this server (its MX and its own
    // name), or the relayhost that carries it out.
    ...(relayhost ? [`; mail leaves through relayhost ${relayhost}: add what its provider publishes (include:…) or its ip4:/ip6: addresses to the SPF record`] : []),
    `${domain}.\t3600\tIN\tTXT\t"v=spf1 mx a:${mailHost} -all"`,
    `_dmarc.${domain}.\t3600\tIN\tTXT\t"v=DMARC1; p=quarantine; rua=mailto:postmaster@${domain}"`,
    `; TLS reports (RFC 8460), and MTA-STS (RFC 8461) once its policy file is served at https://mta-sts.${domain}/.well-known/mta-sts.txt:`,
    `_smtp._tls.${domain}.\t3600\tIN\tTXT\t"v=TLSRPTv1; rua=mailto:postmaster@${domain}"`,
    `; _mta-sts.${domain}.\t3600\tIN\tTXT\t"v=STSv1; id=<a new value each time the policy changes>"`,
  ].join('\n');

export const checkDomainDns = async (db: Db, actor: Actor, name: string, dnsServer = process.env.POSTERN_DNS_SERVER): Promise<{ domain: string; mailHost: string; records: string; checks: DnsCheck[] }> => {
  assertRole(actor, 'ADMIN');
  const domain = await db.domain.findUnique({ where: { name: name.trim().toLowerCase() } });
  if (!domain) throw new AppError('NOT_FOUND', `No domain ${name}`);
  const compiled = compilePolicy(await loadPolicyRows(db));
  const mailHost = compiled.ok ? compiled.policy.myhostname : 'localhost';
  const r = consoleResolver(dnsServer);
  const lookup = async <T>(fn: () => Promise<T>): Promise<T | 'none' | 'error'> => {
    try {
      return await fn();
    } catch (e) {
      const code = (e as { code?: string }).code;
      return code === 'ENOTFOUND' || code === 'ENODATA' ? 'none' : 'error';
    }
  };
  const [mx, a, aaaa, txt, dmarc] = await Promise.all([
    lookup(() => r.resolveMx(domain.name)),
    lookup(() => r.resolve4(mailHost)),
    lookup(() => r.resolve6(mailHost)),
    lookup(() => r.resolveTxt(domain.name)),
    lookup(() => r.resolveTxt(`_dmarc.${domain.name}`)),
  ]);
  const checks: DnsCheck[] = [];
  const unknown = (record: string, expected: string) => checks.push({ record, expected, found: 'the resolver did not answer', status: 'unknown' });

  if (mx === 'error') unknown('MX', mailHost);
  else {
    const hosts = mx === 'none' ? [] : mx.sort((x, y) => x.priority - y.priority).map((m) => `${m.priority} ${bare(m.exchange)}`);
    const ok = mx !== 'none' && mx.some((m) => bare(m.exchange) === bare(mailHost));
    checks.push({ record: 'MX', expected: `an MX pointing to ${mailHost}`, found: hosts.join(', ') || 'no MX record', status: ok ? 'pass' : 'fail' });
  }
  if (a === 'error' && aaaa === 'error') unknown(`A/AAAA of ${mailHost}`, 'an address');
  else {
    const addrs = [...(Array.isArray(a) ? a : []), ...(Array.isArray(aaaa) ? aaaa : [])];
    checks.push({ record: `A/AAAA of ${mailHost}`, expected: 'at least one address', found: addrs.join(', ') || 'no address', status: addrs.length ? 'pass' : 'fail' });
  }
  if (txt === 'error') unknown('SPF', 'v=spf1 …');
  else {
    const spf = (txt === 'none' ? [] : txt.map((parts) => parts.join(''))).filter((t) => /^v=spf1(\s|$)/i.test(t));
    const status = spf.length === 1 && /\s(mx|a|ip4:|ip6:|include:)/i.test(spf[0]!) ? 'pass' : 'fail';
    const found = spf.length === 0 ? 'no SPF record' : spf.length > 1 ? `${spf.length} SPF records (only one is allowed): ${spf.join(' | ')}` : spf[0]!;
    checks.push({ record: 'SPF', expected: 'one "v=spf1" record that authorizes this server (mx, a, ip4:, ip6: or include:)', found, status });
  }
  if (dmarc === 'error') unknown('DMARC', 'v=DMARC1 …');
  else {
    const rec = (dmarc === 'none' ? [] : dmarc.map((p) => p.join(''))).find((t) => /^v=DMARC1/i.test(t));
    checks.push({ record: 'DMARC', expected: `a "v=DMARC1" record at _dmarc.${domain.name}`, found: rec ?? 'no DMARC record', status: rec ? 'pass' : 'fail' });
  }
  // DKIM: every key that is or will be published (pending, active, retiring).
  const keys = await db.dkimKey.findMany({ where: { domain: domain.name, state: { in: ['PENDING', 'ACTIVE', 'RETIRING'] } }, orderBy: { createdAt: 'asc' } });
  for (const k of keys) {
    const r = await checkKeyDns(k, dnsServer);
    const status = r.published ? 'pass' : /did not answer/.test(r.found) ? 'unknown' : 'fail';
    checks.push({ record: `DKIM ${k.selector} (${k.state.toLowerCase()})`, expected: `the key's record at ${r.name}`, found: r.published ? 'published' : r.found, status });
  }
  const relayhost = compiled.ok ? compiled.policy.params.relayhost ?? '' : '';
  const records = [dnsRecordsFor(domain.name, mailHost, relayhost), ...keys.map((k) => recordLine(k).replace(' TXT ', '\t3600\tIN\tTXT\t'))].join('\n');
  return { domain: domain.name, mailHost, records, checks };
};
