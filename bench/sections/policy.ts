// Section 3: the RCPT-stage decision at scale — 100,000 users, 10,000 domains and 10,000
// trusted networks — on one core: compile time, decisions per second and p99 latency.
import { checkRecipient } from '../../mail-engine/policy/check-stage';
import { compilePolicy } from '../../mail-engine/policy/compile-policy';
import type { PolicyRows, StageContext } from '../../mail-engine/policy/types';

export const bigPolicyRows = (): PolicyRows => ({
  settings: {
    compatibility_level: '3.6',
    myhostname: 'mx.bench.test',
    mydestination: '$myhostname',
    smtpd_relay_restrictions: 'permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination',
    smtpd_recipient_restrictions: 'reject_non_fqdn_recipient, reject_unlisted_recipient',
  },
  users: Array.from({ length: 100_000 }, (_, i) => ({ address: `u${i}@d${i % 10_000}.example`, active: true, hasMailbox: true })),
  domains: Array.from({ length: 10_000 }, (_, i) => ({ name: `d${i}.example`, kind: 'LOCAL' as const, active: true })),
  networks: Array.from({ length: 10_000 }, (_, i) => ({ cidr: `10.${(i >> 8) & 255}.${i & 255}.0/24` })),
  aliases: [],
  accessEntries: [],
  hostAddresses: [],
  revision: 1,
});

export const runPolicy = (o: { seconds: number }) => {
  const rows = bigPolicyRows();
  const t0 = performance.now();
  const compiled = compilePolicy(rows);
  const compileMs = performance.now() - t0;
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  // A mix: trusted and untrusted clients; local users, unknown local users, outside domains.
  const ctxs: StageContext[] = Array.from({ length: 4096 }, (_, i) => ({
    clientAddress: i % 2 ? `10.${i & 255}.${(i >> 3) & 255}.9` : `192.0.2.${i & 255}`,
    clientName: 'unknown',
    helo: 'client.example.org',
    sender: 'sender@example.org',
    recipient: i % 3 === 0 ? `x${i}@elsewhere.example.org` : i % 3 === 1 ? `u${i}@d${i % 10_000}.example` : `nobody${i}@d${i % 10_000}.example`,
  }));
  const lat: number[] = [];
  let n = 0;
  const end = performance.now() + o.seconds * 1000;
  const start = performance.now();
  while (performance.now() < end) {
    const s = performance.now();
    for (let k = 0; k < 256; k++) checkRecipient(compiled.policy, ctxs[(n + k) & 4095]!);
    lat.push((performance.now() - s) / 256);
    n += 256;
  }
  const elapsed = (performance.now() - start) / 1000;
  // Single decisions, for the tail: the batches above average out outliers.
  const single: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    const s = performance.now();
    checkRecipient(compiled.policy, ctxs[i & 4095]!);
    single.push(performance.now() - s);
  }
  single.sort((a, b) => a - b);
  return { compileMs, perSecond: n / elapsed, p99Us: single[Math.floor(single.length * 0.99)]! * 1000, p50Us: single[Math.floor(single.length * 0.5)]! * 1000 };
};
