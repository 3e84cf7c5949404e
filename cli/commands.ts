// The table of `postern` commands: each with its usage line, its options (node:util
// parseArgs, strict: unknown options are refused), its positional arguments, whether it reads
// or writes the database, and its handler over the same services the console uses.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../prisma/client';
import { createMigration, migrateDatabase } from '../prisma/migrate';
import { loadConfig } from '../mail-engine/config';
import { CLI_ACTOR, type Role } from '../server/services/actor';
import { createAlias, deleteAlias, findAliases } from '../server/services/aliases/create-alias';
import { createDomain } from '../server/services/domains/create-domain';
import { deleteDomain } from '../server/services/domains/delete-domain';
import { findDomains } from '../server/services/domains/find-domains';
import { createNetwork } from '../server/services/networks/create-network';
import { deleteNetwork } from '../server/services/networks/delete-network';
import { findNetworks } from '../server/services/networks/find-networks';
import { checkPolicy, exportMainCf } from '../server/services/policy/check-policy';
import { checkPastedMessage } from '../server/services/policy/check-message';
import { importMainCf } from '../server/services/policy/import-main-cf';
import { previewLines } from '../server/services/policy/preview-policy-change';
import { deleteQueuedMessage, holdMessage, listQueue, releaseMessage, retryQueue, showQueuedMessage } from '../server/services/queue/manage-queue';
import { updateSettings } from '../server/services/settings/update-settings';
import { createUser } from '../server/services/users/create-user';
import { deleteUser } from '../server/services/users/delete-user';
import { findUsers } from '../server/services/users/find-users';
import { resetUserPassword } from '../server/services/users/set-user-password';
import { resetFactors } from '../server/services/auth/second-factors';
import { serve } from './serve';
import { DKIM_COMMANDS } from './dkim-commands';
import { out, readStdin, str, UsageError, type Command } from './command-kit';

export { UsageError, type Command } from './command-kit';

const MANY = Number.POSITIVE_INFINITY;

const listQueueCommand: Command = {
  usage: 'queue [list]',
  positionals: [0, 0],
  access: 'read',
  run: async ({ db }) => {
    const { total, messages } = await listQueue(db, CLI_ACTOR, { take: 10_000 });
    if (!messages.length) {
      out('Mail queue is empty');
      return 0;
    }
    // mailq's layout: "!" after the id marks a held message.
    out('-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------');
    for (const m of messages) {
      out(`${m.id}${m.state === 'HOLD' ? '!' : ' '} ${String(m.size).padStart(8)} ${m.receivedAt.toUTCString().slice(0, 25)} ${m.sender || 'MAILER-DAEMON'}`);
      for (const r of m.recipients) {
        if (r.lastError) out(`                                  (${r.lastError.slice(0, 200)})`);
        out(`                                         ${r.address}`);
      }
    }
    out(`-- ${total} Request${total === 1 ? '' : 's'}.`);
    return 0;
  },
};

const queueById = (verb: string, act: (db: Db, id: string) => Promise<string>): Command => ({
  usage: `queue ${verb} ID`,
  positionals: [1, 1],
  access: 'write',
  run: async ({ db, positionals: [id] }) => {
    out(`${id}: ${await act(db, id!)}`);
    return 0;
  },
});

const settingsCommand = (cmd: 'set' | 'unset'): Command => ({
  usage: cmd === 'set' ? 'set NAME=VALUE...' : 'unset NAME...',
  positionals: [1, MANY],
  access: 'write',
  run: async ({ db, positionals }) => {
    const changes: Record<string, string | null> = {};
    for (const item of positionals) {
      if (cmd === 'unset') changes[item] = null;
      else {
        const eq = item.indexOf('=');
        if (eq < 1) throw new UsageError(`expected NAME=VALUE, got "${item}"`);
        changes[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
      }
    }
    const r = await updateSettings(db, CLI_ACTOR, changes);
    out(`${cmd} ${r.changed.join(', ')}`);
    for (const u of r.unknown) out(`  note: ${u} is not a Postern parameter (kept as a user variable)`);
    return 0;
  },
});

export const COMMANDS: Record<string, Command> = {
  ...DKIM_COMMANDS,
  serve: {
    usage: 'serve [--dev] [--role all|web|engine]',
    options: { dev: { type: 'boolean' }, role: { type: 'string' } },
    positionals: [0, 0],
    access: 'none',
    run: async ({ values }) => {
      await serve({ dev: !!values.dev, role: str(values, 'role') });
      return -1; // keeps running
    },
  },
  'db migrate': {
    usage: 'db migrate',
    positionals: [0, 0],
    access: 'none',
    run: async () => {
      const r = await migrateDatabase(loadConfig().databaseUrl);
      out(r.applied.length ? `applied: ${r.applied.join(', ')}` : `${r.provider}: no pending migrations`);
      return 0;
    },
  },
  'db new-migration': {
    usage: 'db new-migration NAME',
    positionals: [1, 1],
    access: 'none',
    run: async ({ positionals: [name] }) => {
      const written = await createMigration(name!, process.env.POSTERN_PG_SHADOW_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
      out(written.length ? written.map((w) => `wrote ${path.relative(process.cwd(), w)}/migration.sql`).join('\n') : 'the schema has not changed: nothing written');
      return 0;
    },
  },
  'import-postfix': {
    usage: 'import-postfix FILE [--dry-run]',
    options: { 'dry-run': { type: 'boolean' } },
    positionals: [1, 1],
    access: 'write',
    run: async ({ db, values, positionals: [file] }) => {
      const report = await importMainCf(db, CLI_ACTOR, readFileSync(file!, 'utf8'), { dryRun: !!values['dry-run'] });
      out(`${report.applied ? 'imported' : 'would import (dry run)'}: ${report.imported.length} parameters, ${report.domains.length} domains, ${report.networks.length} networks`);
      for (const e of report.imported) out(`  + line ${e.line}: ${e.name} = ${e.value}`);
      for (const d of report.domains) out(`  + ${d.kind === 'LOCAL' ? 'local' : 'relay'} domain ${d.name}`);
      for (const n of report.networks) out(`  + trusted network ${n.cidr}`);
      for (const i of report.ignored) out(`  - line ${i.line}: ignored ${i.parameter}: ${i.message}`);
      for (const w of report.warnings) out(`  ! line ${w.line}: ${w.message}`);
      if (report.preview) for (const line of previewLines(report.preview)) out(line);
      if (report.applied) out(`policy revision ${report.revision} is live`);
      return 0;
    },
  },
  'export-postfix': {
    usage: 'export-postfix',
    positionals: [0, 0],
    access: 'read',
    run: async ({ db }) => {
      process.stdout.write(await exportMainCf(db, CLI_ACTOR));
      return 0;
    },
  },
  check: {
    usage: 'check --client IP [--helo NAME] [--sasl-user ADDR] --from ADDR (--rcpt ADDR | --message FILE)',
    options: { client: { type: 'string' }, helo: { type: 'string' }, 'sasl-user': { type: 'string' }, from: { type: 'string' }, rcpt: { type: 'string' }, message: { type: 'string' } },
    positionals: [0, 0],
    access: 'read',
    run: async ({ db, values }) => {
      const file = str(values, 'message');
      if (file !== undefined) {
        // The checks on arrival and smtpd_end_of_data_restrictions over a message ("-": stdin).
        const text = file === '-' ? await readStdin() : readFileSync(file, 'utf8');
        const r = await checkPastedMessage(db, CLI_ACTOR, { client: str(values, 'client') ?? '', helo: str(values, 'helo'), from: str(values, 'from') ?? '', message: text });
        process.stdout.write(r.headers.replace(/\r\n/g, '\n'));
        const d = r.decision;
        out(`${d.reply.code} ${d.reply.enhanced} ${d.reply.text}`.replace(/\s+$/, ''));
        out(`decision: ${d.action}${d.by ? ` by ${d.by}` : ''} (policy revision ${r.revision})`);
        for (const t of d.trace) out(`  ${t.list ? `${t.list}: ` : ''}${t.restriction ? `${t.restriction} → ` : ''}${t.fact}`);
        return d.action === 'accept' ? 0 : 1;
      }
      const client = str(values, 'client');
      const from = str(values, 'from');
      const rcpt = str(values, 'rcpt');
      if (!client || from === undefined || !rcpt) throw new UsageError('check needs --client IP, --from ADDR and --rcpt ADDR');
      const d = await checkPolicy(db, CLI_ACTOR, { client, helo: str(values, 'helo'), saslUser: str(values, 'sasl-user'), from, rcpt });
      out(`${d.reply.code} ${d.reply.enhanced} ${d.reply.text}`.replace(/\s+$/, ''));
      out(`decision: ${d.action}${d.by ? ` by ${d.by}` : ''} (policy revision ${d.revision})`);
      for (const t of d.trace) out(`  ${t.list ? `${t.list}: ` : ''}${t.restriction ? `${t.restriction} → ` : ''}${t.fact}`);
      return d.action === 'accept' ? 0 : 1;
    },
  },
  'user add': {
    usage: 'user add ADDR [--role admin|operator|user] [--no-mailbox] [--password-stdin]',
    options: { role: { type: 'string' }, 'no-mailbox': { type: 'boolean' }, 'password-stdin': { type: 'boolean' } },
    positionals: [1, 1],
    access: 'write',
    run: async ({ db, values, positionals: [address] }) => {
      const role = (str(values, 'role') ?? 'user').toUpperCase() as Role;
      const password = values['password-stdin'] ? await readStdin() : (process.env.POSTERN_USER_PASSWORD ?? '');
      if (!password) throw new UsageError('give the password on standard input with --password-stdin');
      const u = await createUser(db, CLI_ACTOR, { address: address!, password, role, hasMailbox: !values['no-mailbox'] });
      out(`added ${u.address} (${u.role.toLowerCase()}${u.hasMailbox ? ', mailbox' : ''})`);
      return 0;
    },
  },
  'user list': {
    usage: 'user list [PREFIX]',
    positionals: [0, 1],
    access: 'read',
    run: async ({ db, positionals: [prefix] }) => {
      const r = await findUsers(db, CLI_ACTOR, { q: prefix ?? '', pageSize: 200 });
      for (const u of r.rows) out(`${u.address}\t${u.role.toLowerCase()}\t${u.hasMailbox ? 'mailbox' : '-'}\t${u.active ? 'active' : 'disabled'}`);
      out(`${r.total} user(s)${r.total > r.rows.length ? `, first ${r.rows.length} shown` : ''}`);
      return 0;
    },
  },
  'user remove': {
    usage: 'user remove ADDR',
    positionals: [1, 1],
    access: 'write',
    run: async ({ db, positionals: [address] }) => {
      out(`removed ${(await deleteUser(db, CLI_ACTOR, address!)).address}`);
      return 0;
    },
  },
  'user passwd': {
    usage: 'user passwd ADDR [--password-stdin]',
    options: { 'password-stdin': { type: 'boolean' } },
    positionals: [1, 1],
    access: 'write',
    run: async ({ db, positionals: [address] }) => {
      await resetUserPassword(db, CLI_ACTOR, address!, await readStdin());
      out('password changed');
      return 0;
    },
  },
  'user reset-2fa': {
    usage: 'user reset-2fa ADDR',
    positionals: [1, 1],
    access: 'write',
    run: async ({ db, positionals: [address] }) => {
      const n = await resetFactors(db, CLI_ACTOR, address!, 'cli');
      out(`removed ${n} second factor(s) of ${address!.toLowerCase()}; they sign in with their password and may set up a new one`);
      return 0;
    },
  },
  'alias add': {
    usage: 'alias add ADDR TARGET...',
    positionals: [2, MANY],
    access: 'write',
    run: async ({ db, positionals: [address, ...targets] }) => {
      await createAlias(db, CLI_ACTOR, { address: address!, targets });
      out(`${address} → ${targets.join(', ')}`);
      return 0;
    },
  },
  'alias list': {
    usage: 'alias list',
    positionals: [0, 0],
    access: 'read',
    run: async ({ db }) => {
      for (const a of await findAliases(db, CLI_ACTOR)) out(`${a.address}\t${a.target}`);
      return 0;
    },
  },
  'alias remove': {
    usage: 'alias remove ADDR',
    positionals: [1, 1],
    access: 'write',
    run: async ({ db, positionals: [address] }) => {
      await deleteAlias(db, CLI_ACTOR, address!);
      out(`removed ${address}`);
      return 0;
    },
  },
  'domain add': {
    usage: 'domain add NAME --local|--relay',
    options: { local: { type: 'boolean' }, relay: { type: 'boolean' } },
    positionals: [1, 1],
    access: 'write',
    run: async ({ db, values, positionals: [name] }) => {
      if (!!values.local === !!values.relay) throw new UsageError('domain add NAME --local|--relay');
      const d = await createDomain(db, CLI_ACTOR, { name: name!, kind: values.relay ? 'RELAY' : 'LOCAL' });
      out(`added ${d.kind === 'LOCAL' ? 'local' : 'relay'} domain ${d.name}`);
      return 0;
    },
  },
  'domain list': {
    usage: 'domain list',
    positionals: [0, 0],
    access: 'read',
    run: async ({ db }) => {
      for (const d of await findDomains(db, CLI_ACTOR)) out(`${d.name}\t${d.kind.toLowerCase()}\t${d.active ? 'active' : 'disabled'}`);
      return 0;
    },
  },
  'domain remove': {
    usage: 'domain remove NAME',
    positionals: [1, 1],
    access: 'write',
    run: async ({ db, positionals: [name] }) => {
      out(`removed ${(await deleteDomain(db, CLI_ACTOR, name!)).name}`);
      return 0;
    },
  },
  'network add': {
    usage: 'network add CIDR [--note TEXT] [--confirm-wide]',
    options: { note: { type: 'string' }, 'confirm-wide': { type: 'boolean' } },
    positionals: [1, 1],
    access: 'write',
    run: async ({ db, values, positionals: [cidr] }) => {
      const n = await createNetwork(db, CLI_ACTOR, { cidr: cidr!, note: str(values, 'note') ?? '', confirmWide: !!values['confirm-wide'] });
      out(`trusted ${n.cidr}`);
      return 0;
    },
  },
  'network list': {
    usage: 'network list',
    positionals: [0, 0],
    access: 'read',
    run: async ({ db }) => {
      for (const n of await findNetworks(db, CLI_ACTOR)) out(`${n.cidr}\t${n.note}`);
      return 0;
    },
  },
  'network remove': {
    usage: 'network remove CIDR',
    positionals: [1, 1],
    access: 'write',
    run: async ({ db, positionals: [cidr] }) => {
      out(`removed ${(await deleteNetwork(db, CLI_ACTOR, cidr!)).cidr}`);
      return 0;
    },
  },
  set: settingsCommand('set'),
  unset: settingsCommand('unset'),
  queue: listQueueCommand,
  'queue list': listQueueCommand,
  'queue flush': {
    usage: 'queue flush',
    positionals: [0, 0],
    access: 'write',
    run: async ({ db }) => {
      out(`${await retryQueue(db, CLI_ACTOR)} recipient(s) scheduled for immediate delivery`);
      return 0;
    },
  },
  'queue retry': queueById('retry', async (db, id) => `${await retryQueue(db, CLI_ACTOR, id)} recipient(s) scheduled for immediate delivery`),
  'queue delete': queueById('delete', async (db, id) => (await deleteQueuedMessage(db, CLI_ACTOR, id), 'removed')),
  'queue hold': queueById('hold', async (db, id) => (await holdMessage(db, CLI_ACTOR, id), 'placed on hold')),
  'queue release': queueById('release', async (db, id) => (await releaseMessage(db, CLI_ACTOR, id), 'released from hold')),
  'queue show': {
    usage: 'queue show ID',
    positionals: [1, 1],
    access: 'read',
    run: async ({ db, positionals: [id] }) => {
      // Written out before the command exits: a large message outgrows the pipe's buffer.
      const text = await showQueuedMessage(db, CLI_ACTOR, id!);
      await new Promise<void>((resolve, reject) => process.stdout.write(text, (e) => (e ? reject(e) : resolve())));
      return 0;
    },
  },
};
