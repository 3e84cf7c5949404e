// The parameters the engine acts on are parsed when the policy compiles: a malformed value
// is refused there, with its reason, instead of being accepted and misbehaving later (a
// relayhost the SMTP client cannot parse, a port name that silently became 25).
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../../mail-engine/policy/compile-policy';
import { parseNextHop, parseTcpPort } from '../../../../mail-engine/policy/engine-settings';
import type { PolicyRows } from '../../../../mail-engine/policy/types';

const rows = (settings: Record<string, string>): PolicyRows => ({
  settings: {
    myhostname: 'mx.test.net',
    mynetworks: '127.0.0.0/24',
    smtpd_relay_restrictions: 'permit_mynetworks, reject_unauth_destination',
    ...settings,
  },
  domains: [],
  networks: [],
  users: [],
  aliases: [],
  accessEntries: [],
  hostAddresses: [{ address: '127.0.0.1', prefix: 8 }],
  revision: 1,
});

const compiled = (settings: Record<string, string>) => {
  const c = compilePolicy(rows(settings));
  return c.ok ? { policy: c.policy, errors: [] as string[] } : { policy: undefined, errors: c.errors.map((e) => `${e.parameter}: ${e.message}`) };
};

describe('delivery parameters compiled to typed fields', () => {
  it.each([
    ['mail.example.com:abc', /relayhost: "mail.example.com:abc": "abc" is not a port number/],
    ['[relay.example.com', /relayhost: "\[relay.example.com": expected .*unbalanced/],
    ['relay.example.com]', /relayhost: .*unbalanced/],
    ['[relay.example.com]:70000', /a port must be 1-65535/],
    ['192.0.2.10:25', /an IP address must be written in brackets/],
    ['bad host!', /is not a host name/],
  ])('refuses relayhost = %s with its reason', (value, reason) => {
    const { policy, errors } = compiled({ relayhost: value });
    expect(policy).toBeUndefined();
    expect(errors.join('\n')).toMatch(reason);
  });

  it('refuses smtp_tcp_port = smpt instead of falling back to 25', () => {
    expect(compiled({ smtp_tcp_port: 'smpt' }).errors.join('\n')).toMatch(/smtp_tcp_port: "smpt" is not a port number or a known service/);
  });

  it('refuses an inet_interfaces entry that is not an address', () => {
    expect(compiled({ inet_interfaces: 'eth0' }).errors.join('\n')).toMatch(/inet_interfaces: "eth0" is not an IP address/);
    expect(compiled({ inet_interfaces: '::1', inet_protocols: 'ipv4' }).errors.join('\n')).toMatch(/IPv6 address but inet_protocols = ipv4/);
  });

  it('refuses a minimal backoff longer than the maximal one', () => {
    expect(compiled({ minimal_backoff_time: '2h', maximal_backoff_time: '1h' }).errors.join('\n')).toMatch(/minimal_backoff_time: 2h is longer than maximal_backoff_time/);
  });

  it('gives the engine typed fields: relayhost, ports, TLS level, limits, retry, listeners', () => {
    const { policy } = compiled({
      relayhost: '[smarthost.example.net]:submission',
      smtp_tcp_port: '2525',
      smtp_tls_security_level: 'encrypt',
      default_destination_concurrency_limit: '7',
      lmtp_destination_concurrency_limit: '3',
      minimal_backoff_time: '1m',
      inet_interfaces: 'loopback-only',
      inet_protocols: 'ipv4',
      postern_submission_port: '2587',
    });
    expect(policy?.delivery).toEqual({
      relayhost: { spec: '[smarthost.example.net]:submission', host: 'smarthost.example.net', port: 587, mxLookup: false },
      smtpPort: 2525,
      tlsLevel: 'encrypt',
      concurrency: { local: 7, lmtp: 3, default: 7 },
      retry: { minimalBackoffS: 60, maximalBackoffS: 4000, maximalQueueLifetimeS: 432_000 },
      leaseMs: 600_000,
      recordRetryMs: 5_000,
    });
    expect(policy?.listen).toEqual({ addresses: ['127.0.0.1'], ports: { smtpd: 25, submission: 2587, submissions: 465 } });
    expect(policy?.identity).toMatchObject({ banner: 'mx.test.net ESMTP Postern', mailName: 'Postern' });
  });

  it('parses next hops as Postfix writes them', () => {
    expect(parseNextHop('relay.example.com', 25)).toEqual({ spec: 'relay.example.com', host: 'relay.example.com', port: 25, mxLookup: true });
    expect(parseNextHop('[192.0.2.1]:2525', 25)).toMatchObject({ host: '192.0.2.1', port: 2525, mxLookup: false });
    expect(parseNextHop('[ipv6:2001:db8::1]', 25)).toMatchObject({ host: '2001:db8::1', port: 25, mxLookup: false });
    expect(parseTcpPort('lmtp')).toBe(24);
    expect(parseTcpPort('0')).toMatch(/1-65535/);
  });
});
