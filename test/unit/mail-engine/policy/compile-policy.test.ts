import { describe, expect, it } from 'vitest';
import { checkAuth, checkRecipient } from '../../../../mail-engine/policy/check-stage';
import { compilePolicy } from '../../../../mail-engine/policy/compile-policy';
import type { PolicyRows } from '../../../../mail-engine/policy/types';

const rows = (settings: Record<string, string>, extra: Partial<PolicyRows> = {}): PolicyRows => ({
  settings: {
    compatibility_level: '3.6',
    myhostname: 'mx.test.net',
    mydestination: '$myhostname, test.net',
    mynetworks: '127.0.0.0/24',
    smtpd_relay_restrictions: 'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination',
    smtpd_recipient_restrictions: 'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination',
    smtpd_sasl_auth_enable: 'yes',
    ...settings,
  },
  domains: [],
  networks: [],
  users: [{ address: 'alice@test.net', active: true, hasMailbox: true }],
  aliases: [],
  accessEntries: [],
  hostAddresses: [{ address: '127.0.0.1', prefix: 8 }],
  revision: 1,
  ...extra,
});

const errorsOf = (r: PolicyRows) => {
  const c = compilePolicy(r);
  return c.ok ? [] : c.errors.map((e) => `${e.parameter}: ${e.message}`);
};

describe('compile-time validation', () => {
  it('refuses an unknown restriction name instead of skipping it at run time', () => {
    expect(errorsOf(rows({ smtpd_recipient_restrictions: 'permit_mynetworks, reject_unauth_destinaton' }))).toContain(
      'smtpd_recipient_restrictions: unknown or unsupported restriction "reject_unauth_destinaton"',
    );
  });

  it('refuses a configuration without a default-deny restriction for relaying', () => {
    const errs = errorsOf(rows({ smtpd_relay_restrictions: 'permit_mynetworks', smtpd_recipient_restrictions: 'permit_mynetworks' }));
    expect(errs.join('\n')).toMatch(/specify at least one working instance of: reject_unauth_destination/);
  });

  it('refuses an open relay that still names reject_unauth_destination (permit first)', () => {
    const errs = errorsOf(rows({ smtpd_relay_restrictions: 'permit, reject_unauth_destination', smtpd_recipient_restrictions: 'permit' }));
    expect(errs.join('\n')).toMatch(/open relay: an unauthenticated client 192\.0\.2\.1 could relay .*\(permit in smtpd_recipient_restrictions\)/);
  });

  it('refuses mynetworks that trust the Internet', () => {
    expect(errorsOf(rows({ mynetworks: '0.0.0.0/0' })).join('\n')).toMatch(/0\.0\.0\.0\/0 trusts the whole Internet/);
  });

  it('reports bad values by type and $reference cycles', () => {
    const errs = errorsOf(rows({ smtpd_delay_reject: 'maybe', message_size_limit: '10MB', myorigin: '$mydomain_x', mydomain_x: '$myorigin' }));
    expect(errs).toContain('smtpd_delay_reject: expected yes or no, got "maybe"');
    expect(errs).toContain('message_size_limit: expected a whole number, got "10MB"');
    expect(errs.some((e) => /circular reference/.test(e))).toBe(true);
  });

  it('applies compatibility_level defaults as Postfix 3.7 does', () => {
    const legacy = rows({ compatibility_level: '0', mynetworks: '' });
    const current = rows({ compatibility_level: '3.6', mynetworks: '' });
    delete legacy.settings.smtpd_relay_restrictions;
    delete current.settings.smtpd_relay_restrictions;
    const old = compilePolicy(legacy);
    const modern = compilePolicy(current);
    if (!old.ok || !modern.ok) throw new Error('should compile');
    expect(old.policy.params.smtpd_relay_restrictions).toBe('');
    expect(old.policy.params.relay_domains).toBe('mx.test.net, test.net');
    expect(old.policy.mynetworksSource).toBe('mynetworks_style = subnet');
    expect(modern.policy.params.smtpd_relay_restrictions).toBe('permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination');
    expect(modern.policy.relayBeforeRecipient).toBe(true);
    expect(old.policy.relayBeforeRecipient).toBe(false);
  });

  it('compiles 100,000 users, 10,000 domains and 10,000 networks', () => {
    const big = rows(
      {},
      {
        users: Array.from({ length: 100_000 }, (_, i) => ({ address: `u${i}@d${i % 10_000}.example`, active: true, hasMailbox: true })),
        domains: Array.from({ length: 10_000 }, (_, i) => ({ name: `d${i}.example`, kind: 'LOCAL' as const, active: true })),
        networks: Array.from({ length: 10_000 }, (_, i) => ({ cidr: `10.${(i >> 8) & 255}.${i & 255}.0/24` })),
      },
    );
    const c = compilePolicy(big);
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(checkRecipient(c.policy, { clientAddress: '10.3.7.9', clientName: 'unknown', sender: 'a@b.org', recipient: 'x@example.org' }).action).toBe('accept');
    expect(checkRecipient(c.policy, { clientAddress: '192.0.2.9', clientName: 'unknown', sender: 'a@b.org', recipient: 'u42@d42.example' }).action).toBe('accept');
    expect(checkRecipient(c.policy, { clientAddress: '192.0.2.9', clientName: 'unknown', sender: 'a@b.org', recipient: 'nobody@d42.example' }).reply.code).toBe(550);
  });
});

describe('decisions and their traces', () => {
  const c = compilePolicy(rows({ smtpd_reject_footer: '\\c (lookup id $lookup_id)' }));
  if (!c.ok) throw new Error('should compile');
  const p = c.policy;

  it('explains a relay denial fact by fact', () => {
    const d = checkRecipient(p, { clientAddress: '127.0.1.9', clientName: 'unknown', sender: 'a@b.org', recipient: 'x@example.org', lookupId: 'ABC123' });
    expect(d.reply).toEqual({ code: 554, enhanced: '5.7.1', text: '<x@example.org>: Relay access denied (lookup id ABC123)' });
    expect(d.by).toBe('reject_unauth_destination');
    expect(d.trace.map((t) => t.fact)).toEqual(expect.arrayContaining(['client 127.0.1.9 is not in mynetworks', 'no SASL login', 'example.org is not a local or relay domain']));
  });

  it.each([
    [{ clientAddress: '127.0.0.2' }, 250],
    [{ clientAddress: '127.0.1.9', saslUser: 'alice@test.net' }, 250],
    [{ clientAddress: '127.0.1.9' }, 554],
  ])('open-relay matrix to a foreign domain: %o → %d', (who, code) => {
    expect(checkRecipient(p, { clientName: 'unknown', sender: 'a@b.org', recipient: 'x@example.org', ...who }).reply.code).toBe(code);
  });

  it('refuses AUTH during a transaction, and plaintext under noplaintext', () => {
    const ctx = { clientAddress: '127.0.1.9', clientName: 'unknown' };
    expect(checkAuth(p, ctx, { mechanism: 'PLAIN', secure: false, inTransaction: true, authenticated: false }).reply.code).toBe(503);
    const np = compilePolicy(rows({ smtpd_sasl_security_options: 'noanonymous, noplaintext' }));
    if (!np.ok) throw new Error('should compile');
    expect(checkAuth(np.policy, ctx, { mechanism: 'PLAIN', secure: true, inTransaction: false, authenticated: false }).reply.code).toBe(535);
    const tlsOnly = compilePolicy(rows({ smtpd_tls_auth_only: 'yes' }));
    if (!tlsOnly.ok) throw new Error('should compile');
    expect(checkAuth(tlsOnly.policy, ctx, { mechanism: 'PLAIN', secure: false, inTransaction: false, authenticated: false }).reply.code).toBe(503);
  });
});

describe('local_header_rewrite_clients', () => {
  const rewriteFor = (settings: Record<string, string>, client: { address: string; authenticated: boolean }) => {
    const c = compilePolicy(rows(settings));
    if (!c.ok) throw new Error(c.errors.map((e) => e.message).join('; '));
    return c.policy.headerRewrite(client);
  };
  it('defaults to this machine only (permit_inet_interfaces), not its networks', () => {
    expect(rewriteFor({}, { address: '127.0.0.1', authenticated: false })).toBe(true);
    expect(rewriteFor({}, { address: '127.0.0.9', authenticated: false })).toBe(false);
    expect(rewriteFor({}, { address: '192.0.2.1', authenticated: true })).toBe(false);
  });
  it('follows the listed classes and always_add_missing_headers', () => {
    expect(rewriteFor({ local_header_rewrite_clients: 'permit_sasl_authenticated' }, { address: '192.0.2.1', authenticated: true })).toBe(true);
    expect(rewriteFor({ local_header_rewrite_clients: 'permit_mynetworks' }, { address: '127.0.0.9', authenticated: false })).toBe(true);
    expect(rewriteFor({ local_header_rewrite_clients: '', always_add_missing_headers: 'yes' }, { address: '192.0.2.1', authenticated: false })).toBe(true);
  });
  it('refuses what it does not know', () => {
    expect(errorsOf(rows({ local_header_rewrite_clients: 'permit_inet_interfaces, hash:/etc/postfix/rewrite' }))).toContain(
      'local_header_rewrite_clients: "hash:/etc/postfix/rewrite" is not one of permit_inet_interfaces, permit_mynetworks, permit_sasl_authenticated, static:all',
    );
  });
});
