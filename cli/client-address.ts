// The console's client address: the socket's, unless the peer is a proxy the operator listed
// in POSTERN_TRUSTED_PROXIES (CIDRs), whose X-Forwarded-For then names the client (its
// rightmost entry not itself a trusted proxy). Whatever a client sends as X-Postern-Client is
// replaced, so the console (login throttling, security events) reads only this.
import type { IncomingMessage } from 'node:http';
import { CidrMatcher, parseCidr } from '../mail-engine/policy/match/cidr';

export const CLIENT_HEADER = 'x-postern-client';

export const trustedProxies = (spec: string | undefined) => new CidrMatcher(
  (spec ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((c) => parseCidr(c)),
);

const bare = (a: string | undefined) => (a ?? '').replace(/^::ffff:/, '').replace(/^\[|\]$/g, '');

/** Whether the request's peer is a proxy the operator listed (its forwarding headers count). */
export const fromTrustedProxy = (req: IncomingMessage, proxies: CidrMatcher) => proxies.match(bare(req.socket.remoteAddress)).matched;

export const clientAddressOf = (req: IncomingMessage, proxies: CidrMatcher) => {
  const peer = bare(req.socket.remoteAddress) || 'unknown';
  if (!fromTrustedProxy(req, proxies)) return peer;
  const forwarded = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((s) => bare(s.trim()))
    .filter(Boolean);
  for (let i = forwarded.length - 1; i >= 0; i--) if (!proxies.match(forwarded[i]!).matched) return forwarded[i]!;
  return peer;
};

export const PATH_HEADER = 'x-postern-path';
const FORWARDING = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'forwarded'];

/**
 * Stamps the request with its client address and path for the console (see above). The
 * forwarding headers of a peer that is not a trusted proxy are dropped, so neither next-auth
 * (which builds its redirects from X-Forwarded-Host) nor anything else can be told another
 * host or scheme by a client.
 */
export const stampClientAddress = (req: IncomingMessage, proxies: CidrMatcher) => {
  req.headers[CLIENT_HEADER] = clientAddressOf(req, proxies);
  req.headers[PATH_HEADER] = (req.url ?? '').slice(0, 300);
  if (!fromTrustedProxy(req, proxies)) for (const h of FORWARDING) delete req.headers[h];
};
