// reject_rbl_client zone[=d.d.d.d]: rejects a client listed in a DNS blocklist. The DNS
// answer (A records for the reversed client address under the zone) is fetched by the
// caller; a missing or failed lookup is DUNNO, as Postfix logs and skips it. Pure.
import { parseIp } from '../match/ip';
import type { TracedRestriction } from './context';
import { DUNNO, refuse } from './reply';

/** The DNS name to query: 4.3.2.1.zone, or the nibble-reversed IPv6 address. */
export const rblQueryName = (address: string, zone: string): string | undefined => {
  const ip = parseIp(address);
  if (!ip) return undefined;
  if (ip.family === 4) return `${[...ip.bytes].reverse().join('.')}.${zone}`;
  const nibbles: string[] = [];
  for (const b of ip.bytes) nibbles.push((b >> 4).toString(16), (b & 15).toString(16));
  return `${nibbles.reverse().join('.')}.${zone}`;
};

export const splitRblArg = (arg: string) => {
  const [zone, filter] = arg.split('=');
  return { zone: (zone ?? '').toLowerCase(), filter };
};

export const rejectRblClient: TracedRestriction = ({ policy, ctx, arg }) => {
  const { zone, filter } = splitRblArg(arg ?? '');
  const answer = ctx.dns?.rbl?.[zone];
  if (answer === undefined) return { verdict: DUNNO, fact: `no ${zone} lookup result for ${ctx.clientAddress}` };
  if (answer === 'tempfail') return { verdict: DUNNO, fact: `${zone} lookup failed temporarily; skipped` };
  const hits = filter ? answer.addresses.filter((a) => a === filter) : answer.addresses;
  if (!hits.length) return { verdict: DUNNO, fact: `client ${ctx.clientAddress} is not listed in ${zone}` };
  const fact = `client ${ctx.clientAddress} is listed in ${zone} (${hits.join(', ')})`;
  const reason = answer.text ? `; ${answer.text}` : '';
  return {
    verdict: refuse('reject_rbl_client', fact, policy.codes.rbl, '5.7.1', `Service unavailable; Client host [${ctx.clientAddress}] blocked using ${zone}${reason}`),
    fact,
  };
};
