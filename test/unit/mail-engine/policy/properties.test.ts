// Property-based tests of the policy core (fast-check): the main.cf parser never throws and
// round-trips what it serializes; the address parser and resolver never throw on any input;
// and no configuration the compiler accepts lets an untrusted, unauthenticated client relay
// — whatever the restriction lists, networks and domains, and however the recipient is
// written (percent hack, bang path, source route, quoting, trailing dot, case).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveAddress, splitAddress } from '../../../../mail-engine/policy/address';
import { checkRecipient } from '../../../../mail-engine/policy/check-stage';
import { compilePolicy } from '../../../../mail-engine/policy/compile-policy';
import { parseMainCf, serializeMainCf } from '../../../../mail-engine/policy/main-cf';
import type { PolicyRows } from '../../../../mail-engine/policy/types';

const RUNS = { numRuns: 300 };

const paramName = fc.stringMatching(/^[a-z][a-z0-9_]{0,24}$/).filter((n) => !n.startsWith('postern_'));
const paramValue = fc.stringMatching(/^[A-Za-z0-9$.,:/@_={}-]([A-Za-z0-9 $.,:/@_={}-]{0,40}[A-Za-z0-9$.,:/@_={}-])?$/);

describe('main.cf (properties)', () => {
  it('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (text) => void parseMainCf(text)), RUNS);
  });

  it('parses back what it serializes (the last entry of a name wins)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ name: paramName, value: fc.oneof(paramValue, fc.constant('')) }), { maxLength: 12 }), (entries) => {
        const last = new Map(entries.map((e) => [e.name, e.value]));
        const parsed = parseMainCf(serializeMainCf(entries));
        expect(parsed.errors).toEqual([]);
        expect(new Map(parsed.entries.map((e) => [e.name, e.value]))).toEqual(last);
      }),
      RUNS,
    );
  });
});

const resolveOpts = { isLocalDomain: (d: string) => d === 'local.test', isRelayDomain: (d: string) => d === 'relay.test', myorigin: 'local.test', mydomain: 'local.test', percentHack: true, swapBangpath: true, appendDotMydomain: true };

describe('addresses (properties)', () => {
  it('never throw, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 120 }), (input) => {
        splitAddress(input);
        resolveAddress(input, resolveOpts);
      }),
      { numRuns: 2000 },
    );
  });

  it('split a plain address at its last @', () => {
    const atom = fc.stringMatching(/^[a-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]{1,10}){0,2}$/);
    const domain = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?(\.[a-z]{2,6}){1,2}$/);
    fc.assert(fc.property(atom, domain, (l, d) => {
      expect(splitAddress(`${l}@${d}`)).toEqual({ localPart: l, domain: d });
    }), RUNS);
  });
});

// ── no configuration the compiler accepts is an open relay ──
const RESTRICTIONS = [
  'permit_mynetworks',
  'permit_sasl_authenticated',
  'reject_unauth_destination',
  'defer_unauth_destination',
  'reject_unlisted_recipient',
  'reject_non_fqdn_recipient',
  'reject_non_fqdn_sender',
  'reject_unauth_pipelining',
  'permit',
  'reject',
  'defer',
  'dunno',
  'check_recipient_access recipients',
  'check_client_access clients',
];
const list = fc.array(fc.constantFrom(...RESTRICTIONS), { maxLength: 5 }).map((l) => l.join(', '));
const network = fc.constantFrom('127.0.0.0/8', '10.0.0.0/16', '192.168.1.0/24', '[::1]/128', '!10.0.5.0/24', '172.16.0.0/12', '[fd00::]/64');
const bool = fc.constantFrom('yes', 'no');
// OK for this client or this recipient would be a deliberate exception (Postfix relays for it
// too); OK entries for others are present and must not leak.
const action = fc.constantFrom('REJECT', 'DUNNO', '450 not now', 'DEFER', '554 go away');

const draft = fc.record({
  relay: list,
  recipient: list,
  networks: fc.array(network, { maxLength: 3 }),
  percentHack: bool,
  bangpath: bool,
  delayReject: bool,
  relayBefore: bool,
  accessRecipient: action,
  accessClient: action,
});

/** An untrusted, unauthenticated client (documentation ranges, never in the networks above). */
const client = fc.constantFrom('192.0.2.1', '198.51.100.77', '203.0.113.9', '2001:db8::25');
/** The same far-away recipient, written every way a client might try to route it through us. */
const recipient = fc.constantFrom(
  'victim@far.example',
  'VICTIM@FAR.EXAMPLE.',
  'victim%far.example@local.test',
  'victim%far.example@relay.test',
  'far.example!victim@local.test',
  '@local.test:victim@far.example',
  '@relay.test,@local.test:victim@far.example',
  '"victim@far.example"@local.test',
  'victim@far.example@local.test',
  'victim@[192.0.2.200]',
  'victim@local.test.far.example',
  // Controls: local and relay mail, which a working configuration accepts.
  'user@local.test',
  'anyone@relay.test',
);

describe('the open-relay guarantee (property)', () => {
  it('no configuration the compiler accepts lets an untrusted, unauthenticated client relay', () => {
    let accepted = 0;
    let delivered = 0;
    fc.assert(
      fc.property(draft, client, recipient, (d, clientAddress, rcpt) => {
        const rows: PolicyRows = {
          settings: {
            myhostname: 'mx.local.test',
            mydestination: '$myhostname, local.test',
            relay_domains: 'relay.test',
            smtpd_relay_restrictions: d.relay,
            smtpd_recipient_restrictions: d.recipient,
            allow_percent_hack: d.percentHack,
            swap_bangpath: d.bangpath,
            smtpd_delay_reject: d.delayReject,
            smtpd_relay_before_recipient_restrictions: d.relayBefore,
            ...(d.networks.length ? { mynetworks: d.networks.join(', ') } : {}),
          },
          domains: [],
          networks: [],
          users: [{ address: 'user@local.test', active: true, hasMailbox: true }],
          aliases: [],
          accessEntries: [
            { table: 'recipients', key: 'far.example', action: d.accessRecipient },
            { table: 'recipients', key: 'friend.example', action: 'OK' },
            { table: 'clients', key: clientAddress, action: d.accessClient },
            { table: 'clients', key: '192.0.2.250', action: 'OK' },
          ],
          hostAddresses: [{ address: '127.0.0.1', prefix: 8 }],
          revision: 1,
        };
        const c = compilePolicy(rows);
        if (!c.ok) return; // refused: it never goes live
        accepted++;
        const decision = checkRecipient(c.policy, { clientAddress, clientName: 'unknown', helo: 'attacker.example', sender: 'a@attacker.example', recipient: rcpt });
        const where = c.policy.resolve(rcpt);
        const relays = decision.action === 'accept' && where.addressClass === 'default';
        if (decision.action === 'accept') delivered++;
        expect(relays, `${rcpt} from ${clientAddress} accepted for ${where.address} by ${decision.by || 'an exhausted list'}; relay: ${d.relay} | recipient: ${d.recipient} | networks: ${d.networks.join(' ')} | access: ${d.accessRecipient}/${d.accessClient}`).toBe(false);
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: many drafts compile, and some recipients are accepted (for local mail).
    expect(accepted).toBeGreaterThan(500);
    expect(delivered).toBeGreaterThan(50);
  });
});
