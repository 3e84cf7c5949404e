// local_header_rewrite_clients and always_add_missing_headers: whose messages cleanup completes
// with a missing Message-Id: and Date: (Postfix's cleanup_message.c). Pure.
import { CidrMatcher, parseCidr } from './match/cidr';
import { parseBool, splitList } from './parameters';
import { parseIp } from './match/ip';
import type { PolicyError, PolicyRows } from './types';

const CLASSES = ['permit_inet_interfaces', 'permit_mynetworks', 'permit_sasl_authenticated', 'static:all'];

export const compileHeaderRewrite = (params: Record<string, string>, hostAddresses: PolicyRows['hostAddresses'], mynetworks: CidrMatcher, errors: PolicyError[]) => {
  const rewrite = new Set<string>();
  for (const item of splitList(params.local_header_rewrite_clients ?? '')) {
    if (CLASSES.includes(item.toLowerCase())) rewrite.add(item.toLowerCase());
    else errors.push({ parameter: 'local_header_rewrite_clients', message: `"${item}" is not one of ${CLASSES.join(', ')}` });
  }
  const always = parseBool(params.always_add_missing_headers ?? '') ?? false;
  // permit_inet_interfaces: the client is this machine (one of its own addresses, not their networks).
  const own = new CidrMatcher([...hostAddresses.flatMap((h) => (parseIp(h.address) ? [parseCidr(h.address)] : [])), parseCidr('127.0.0.1'), parseCidr('::1')]);
  return (client: { address: string; authenticated: boolean }) =>
    always ||
    rewrite.has('static:all') ||
    (rewrite.has('permit_sasl_authenticated') && client.authenticated) ||
    (rewrite.has('permit_mynetworks') && mynetworks.match(client.address).matched) ||
    (rewrite.has('permit_inet_interfaces') && own.match(client.address).matched);
};
