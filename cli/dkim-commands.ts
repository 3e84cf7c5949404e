// `postern dkim …`: keys per local domain, the records to publish, rotation.
import { CLI_ACTOR } from '../server/services/actor';
import { activateKey, checkKeyDns, exportKey, generateKey, importKey, listKeys, recordLine, retireKey, rotateKeys, type DkimAlgorithm } from '../server/services/dkim/dkim-keys';
import { out, readStdin, str, UsageError, type Command } from './command-kit';

const algorithmOf = (v: string | undefined): DkimAlgorithm => {
  if (v === undefined || v === 'rsa') return 'RSA';
  if (v === 'ed25519') return 'ED25519';
  throw new UsageError(`--algorithm is rsa or ed25519, not "${v}"`);
};

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '-');

export const DKIM_COMMANDS: Record<string, Command> = {
  'dkim generate': {
    usage: 'dkim generate DOMAIN [--selector S] [--algorithm rsa|ed25519]',
    options: { selector: { type: 'string' }, algorithm: { type: 'string' } },
    positionals: [1, 1],
    access: 'write',
    run: async ({ db, values, positionals: [domain] }) => {
      const k = await generateKey(db, CLI_ACTOR, { domain: domain!, selector: str(values, 'selector'), algorithm: algorithmOf(str(values, 'algorithm')) });
      out(`${k.state === 'ACTIVE' ? 'signing now with' : 'made (pending)'} ${k.selector} for ${k.domain} (${k.algorithm.toLowerCase()}); publish:`);
      out(recordLine(k));
      if (k.state === 'PENDING') out(`then: postern dkim activate ${k.domain} ${k.selector}`);
      return 0;
    },
  },
  'dkim import': {
    usage: 'dkim import DOMAIN SELECTOR   (the PEM private key on standard input)',
    positionals: [2, 2],
    access: 'write',
    run: async ({ db, positionals: [domain, selector] }) => {
      const k = await importKey(db, CLI_ACTOR, { domain: domain!, selector: selector!, pem: await readStdin() });
      out(`imported ${k.selector} for ${k.domain} (${k.algorithm.toLowerCase()}, ${k.state.toLowerCase()})`);
      out(recordLine(k));
      return 0;
    },
  },
  'dkim show': {
    usage: 'dkim show DOMAIN',
    positionals: [1, 1],
    access: 'read',
    run: async ({ db, positionals: [domain] }) => {
      const keys = (await listKeys(db, CLI_ACTOR, domain)).filter((k) => k.state !== 'RETIRED');
      if (!keys.length) throw new UsageError(`${domain} has no DKIM key: postern dkim generate ${domain}`);
      for (const k of keys) out(recordLine(k));
      return 0;
    },
  },
  'dkim list': {
    usage: 'dkim list [DOMAIN]',
    positionals: [0, 1],
    access: 'read',
    run: async ({ db, positionals: [domain] }) => {
      const keys = await listKeys(db, CLI_ACTOR, domain);
      for (const k of keys) {
        const extra = k.state === 'RETIRING' ? `  keep in DNS until ${when(k.retireAfter)}` : k.state === 'RETIRED' ? `  retired ${when(k.retiredAt)}` : '';
        out(`${k.domain}\t${k.selector}\t${k.algorithm.toLowerCase()}\t${k.state.toLowerCase()}\tcreated ${when(k.createdAt)}${extra}`);
      }
      out(`${keys.length} key(s)`);
      return 0;
    },
  },
  'dkim rotate': {
    usage: 'dkim rotate DOMAIN',
    positionals: [1, 1],
    access: 'write',
    run: async ({ db, positionals: [domain] }) => {
      for (const k of await rotateKeys(db, CLI_ACTOR, domain!)) {
        out(`new key ${k.selector} (${k.algorithm.toLowerCase()}, pending); publish:`);
        out(recordLine(k));
        out(`then: postern dkim activate ${k.domain} ${k.selector}`);
      }
      return 0;
    },
  },
  'dkim activate': {
    usage: 'dkim activate DOMAIN SELECTOR [--force]   (checks that DNS serves the record first)',
    options: { force: { type: 'boolean' } },
    positionals: [2, 2],
    access: 'write',
    run: async ({ db, values, positionals: [domain, selector] }) => {
      const r = await activateKey(db, CLI_ACTOR, domain!, selector!, { force: !!values.force });
      out(`${r.key.selector} signs mail from ${r.key.domain} now${r.replaced.length ? `; ${r.replaced.join(', ')} retiring (keep in DNS a while)` : ''}`);
      return 0;
    },
  },
  'dkim check': {
    usage: 'dkim check DOMAIN',
    positionals: [1, 1],
    access: 'read',
    run: async ({ db, positionals: [domain] }) => {
      let bad = 0;
      for (const k of (await listKeys(db, CLI_ACTOR, domain)).filter((x) => x.state !== 'RETIRED')) {
        const r = await checkKeyDns(k);
        if (!r.published) bad++;
        out(`${r.published ? 'pass' : 'FAIL'}\t${r.name}\t${k.state.toLowerCase()}${r.published ? '' : `\tfound: ${r.found}`}`);
      }
      return bad ? 1 : 0;
    },
  },
  'dkim retire': {
    usage: 'dkim retire DOMAIN SELECTOR',
    positionals: [2, 2],
    access: 'write',
    run: async ({ db, positionals: [domain, selector] }) => {
      await retireKey(db, CLI_ACTOR, domain!, selector!);
      out(`${selector} retired: it no longer signs and may be removed from DNS`);
      return 0;
    },
  },
  'dkim export': {
    usage: 'dkim export DOMAIN SELECTOR   (prints the private key, PEM)',
    positionals: [2, 2],
    access: 'read',
    run: async ({ db, positionals: [domain, selector] }) => {
      process.stdout.write(await exportKey(db, CLI_ACTOR, domain!, selector!));
      return 0;
    },
  },
};
