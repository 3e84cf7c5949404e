// Golden case files in the spirit of Postfix's smtpd_check.in/.ref: each file under
// test/golden/cases sets up a policy with plain directives, asks the pure policy core for
// decisions, and states the reply Postfix would give. One `it` per probe, named after the
// file and line, so a failure points at the case.
//
// Setup directives (they accumulate; `reset` starts again from nothing):
//   config NAME = VALUE        a main.cf parameter
//   domain local|relay NAME    a console domain (mydestination / relay_domains)
//   network CIDR               a trusted network (mynetworks)
//   host ADDRESS/PREFIX        an interface address of this host (mynetworks_style)
//   user ADDRESS [nomailbox|disabled] [quota=BYTES]
//   alias ADDRESS TARGET
//   access TABLE KEY ACTION…   a row of a console access table
// Session facts (kept until changed): client IP [NAME] · helo NAME · sasl USER|- · from ADDR|<> ·
//   dns-sender ok|not-found|tempfail · rbl ZONE none|tempfail|A.B.C.D[,…] · pipelined yes|no
// Probes, each followed by the expected reply ("220", "250" or "354" alone for an accept, or
// "CODE ENHANCED TEXT" exactly as sent; a trailing "…" matches a prefix):
//   connect · helo-check · mail · rcpt ADDR · data · auth MECHANISM [tls] [in-transaction]
//   resolve ADDR  (expected line: "ADDRESS CLASS [routed]")
//   compile       (expected line: "ok" or "error: TEXT…" naming the first error)
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAuth, checkConnect, checkData, checkEndOfData, checkHelo, checkMail, checkRecipient } from '../../mail-engine/policy/check-stage';
import { compilePolicy } from '../../mail-engine/policy/compile-policy';
import type { Policy } from '../../mail-engine/policy/policy';
import type { DnsFacts, PolicyRows, SmtpReply, StageContext } from '../../mail-engine/policy/types';

const DIR = path.join(path.dirname(new URL(import.meta.url).pathname), 'cases');

type Probe = { file: string; line: number; run: () => string; expected: string };

const emptyRows = (): PolicyRows => ({ settings: {}, domains: [], networks: [], users: [], aliases: [], accessEntries: [], hostAddresses: [], revision: 1 });

const format = (r: SmtpReply) => (r.code < 400 ? String(r.code) : `${r.code} ${r.enhanced ? `${r.enhanced} ` : ''}${r.text}`);

const parseCase = (file: string): Probe[] => {
  const lines = readFileSync(path.join(DIR, file), 'utf8').split('\n');
  const probes: Probe[] = [];
  let rows = emptyRows();
  let compiled: { rows: PolicyRows; policy?: Policy; error?: string } | undefined;
  const ctx: StageContext & { dns: DnsFacts } = { clientAddress: '192.0.2.1', clientName: 'unknown', dns: {} };
  const policy = () => {
    if (!compiled || compiled.rows !== rows) {
      const r = compilePolicy(rows);
      compiled = r.ok ? { rows, policy: r.policy } : { rows, error: `${r.errors[0]!.parameter}: ${r.errors[0]!.message}` };
    }
    if (!compiled.policy) throw new Error(`the policy does not compile: ${compiled.error}`);
    return compiled.policy;
  };
  const change = (fn: (r: PolicyRows) => void) => {
    rows = structuredClone(rows);
    fn(rows);
  };
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (!raw || raw.startsWith('#')) continue;
    const [verb, ...args] = raw.split(/\s+/);
    const rest = raw.slice(verb!.length).trim();
    const expectNext = (run: () => string) => {
      let j = i + 1;
      while (j < lines.length && (!lines[j]!.trim() || lines[j]!.trim().startsWith('#'))) j++;
      if (j >= lines.length) throw new Error(`${file}:${i + 1}: "${raw}" has no expected reply`);
      const snapshot = { ...ctx, dns: structuredClone(ctx.dns) };
      const probeRows = rows;
      probes.push({
        file,
        line: i + 1,
        expected: lines[j]!.trim(),
        run: () => {
          const saved = rows;
          rows = probeRows;
          try {
            Object.assign(ctx, snapshot);
            return run();
          } finally {
            rows = saved;
          }
        },
      });
      i = j;
    };
    switch (verb) {
      case 'reset':
        rows = emptyRows();
        break;
      case 'config': {
        const eq = rest.indexOf('=');
        const name = rest.slice(0, eq).trim();
        const value = rest.slice(eq + 1).trim();
        change((r) => void (r.settings[name] = value));
        break;
      }
      case 'domain':
        change((r) => void r.domains.push({ name: args[1]!, kind: args[0] === 'relay' ? 'RELAY' : 'LOCAL', active: true }));
        break;
      case 'network':
        change((r) => void r.networks.push({ cidr: args[0]! }));
        break;
      case 'host': {
        const [address, prefix] = args[0]!.split('/');
        change((r) => void r.hostAddresses.push({ address: address!, prefix: Number(prefix) }));
        break;
      }
      case 'user': {
        const quota = args.find((a) => a.startsWith('quota='));
        change((r) => void r.users.push({ address: args[0]!, active: !args.includes('disabled'), hasMailbox: !args.includes('nomailbox'), quotaBytes: quota ? Number(quota.slice(6)) : 0 }));
        break;
      }
      case 'alias':
        change((r) => void r.aliases.push({ address: args[0]!, target: args[1]! }));
        break;
      case 'access':
        change((r) => void r.accessEntries.push({ table: args[0]!, key: args[1]!, action: args.slice(2).join(' ') }));
        break;
      case 'client':
        ctx.clientAddress = args[0]!;
        ctx.clientName = args[1] ?? 'unknown';
        break;
      case 'helo':
        ctx.helo = args[0];
        break;
      case 'sasl':
        ctx.saslUser = args[0] === '-' ? undefined : args[0];
        break;
      case 'from':
        ctx.sender = args[0] === '<>' ? '' : args[0];
        break;
      case 'dns-sender':
        ctx.dns.senderDomain = args[0] as 'ok' | 'not-found' | 'tempfail';
        break;
      case 'rbl':
        ctx.dns.rbl ??= {};
        ctx.dns.rbl[args[0]!.toLowerCase()] = args[1] === 'tempfail' ? 'tempfail' : { addresses: args[1] === 'none' ? [] : args[1]!.split(',') };
        break;
      case 'arrival': {
        // arrival spf=RESULT:DOMAIN dkim=RESULT:DOMAIN[:aligned] dmarc=RESULT:DOMAIN:POLICY[:PCT] sample=N, or "arrival none" (no checks ran)
        if (args[0] === 'none') {
          ctx.auth = undefined;
          break;
        }
        const kv = Object.fromEntries(args.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1).split(':')]));
        ctx.auth = {
          spf: { result: kv.spf?.[0] ?? 'none', domain: kv.spf?.[1] ?? '', text: '' },
          dkim: kv.dkim ? [{ result: kv.dkim[0]!, domain: kv.dkim[1] ?? '', selector: 's', aligned: kv.dkim[2] === 'aligned', text: '' }] : [],
          dmarc: kv.dmarc ? { result: kv.dmarc[0]!, domain: kv.dmarc[1] ?? '', policy: kv.dmarc[2] ?? 'none', pct: Number(kv.dmarc[3] ?? 100), text: '', record: '' } : null,
          arc: null,
          fromDomain: kv.dmarc?.[1] ?? '',
          sample: Number(kv.sample?.[0] ?? 0),
        };
        break;
      }
      case 'end-of-data':
        expectNext(() => format(checkEndOfData(policy(), ctx).reply));
        break;
      case 'pipelined':
        ctx.pipelinedEarly = args[0] === 'yes';
        break;
      case 'connect':
        expectNext(() => format(checkConnect(policy(), ctx).reply));
        break;
      case 'helo-check':
        expectNext(() => format(checkHelo(policy(), ctx).reply));
        break;
      case 'mail':
        expectNext(() => format(checkMail(policy(), ctx).reply));
        break;
      case 'rcpt': {
        const recipient = args[0]!;
        expectNext(() => format(checkRecipient(policy(), { ...ctx, recipient }).reply));
        break;
      }
      case 'data':
        expectNext(() => format(checkData(policy(), ctx).reply));
        break;
      case 'auth': {
        const mechanism = args[0]!;
        expectNext(() => format(checkAuth(policy(), ctx, { mechanism, secure: args.includes('tls'), inTransaction: args.includes('in-transaction'), authenticated: false }).reply));
        break;
      }
      case 'resolve': {
        const addr = args[0]!;
        expectNext(() => {
          const r = policy().resolve(addr);
          return `${r.address} ${r.addressClass}${r.routed ? ' routed' : ''}`;
        });
        break;
      }
      case 'compile':
        expectNext(() => {
          const r = compilePolicy(rows);
          return r.ok ? 'ok' : `error: ${r.errors[0]!.parameter}: ${r.errors[0]!.message}`;
        });
        break;
      default:
        throw new Error(`${file}:${i + 1}: unknown directive "${verb}"`);
    }
  }
  return probes;
};

const files = readdirSync(DIR).filter((f) => f.endsWith('.case')).sort();

describe('golden policy cases', () => {
  it('has case files', () => expect(files.length).toBeGreaterThan(5));
  for (const file of files) {
    describe(file, () => {
      for (const p of parseCase(file)) {
        it(`${file}:${p.line}`, () => {
          const got = p.run();
          if (p.expected.endsWith('…')) expect(got.startsWith(p.expected.slice(0, -1)), `got: ${got}`).toBe(true);
          else expect(got).toBe(p.expected);
        });
      }
    });
  }
});
