// `postern …`: a thin shell over the same services the console uses, so a whole set-up
// can be scripted. Exit codes: 0 ok, 1 refused or failed, 2 usage error.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createPrismaClient, type Db } from '../prisma/client';
import { createMigration, migrateDatabase } from '../prisma/migrate';
import { ConfigError, loadConfig } from '../mail-engine/config';
import { AppError } from '../server/errors/app-error';
import { CLI_ACTOR, type Role } from '../server/services/actor';
import { createAlias, deleteAlias, findAliases } from '../server/services/aliases/create-alias';
import { createDomain } from '../server/services/domains/create-domain';
import { deleteDomain } from '../server/services/domains/delete-domain';
import { findDomains } from '../server/services/domains/find-domains';
import { createNetwork } from '../server/services/networks/create-network';
import { deleteNetwork } from '../server/services/networks/delete-network';
import { findNetworks } from '../server/services/networks/find-networks';
import { checkPolicy, exportMainCf } from '../server/services/policy/check-policy';
import { importMainCf } from '../server/services/policy/import-main-cf';
import { previewLines } from '../server/services/policy/preview-policy-change';
import { initializeDatabase } from '../server/services/setup/initialize-database';
import { createUser } from '../server/services/users/create-user';
import { deleteUser } from '../server/services/users/delete-user';
import { findUsers } from '../server/services/users/find-users';
import { resetUserPassword } from '../server/services/users/set-user-password';
import { updateSettings } from '../server/services/settings/update-settings';
import { deleteQueuedMessage, holdMessage, listQueue, releaseMessage, retryQueue, showQueuedMessage } from '../server/services/queue/manage-queue';
import { serve } from './serve';

const USAGE = `usage: postern <command>
  serve [--dev] [--role all|web|engine]     run the console and/or the mail engine (npm start)
  db migrate                                apply pending migrations
  db new-migration NAME                     write the next migration from the schema diff
  import-postfix FILE [--dry-run]           load a Postfix main.cf
  export-postfix                            print the live policy as main.cf
  check --client IP [--helo NAME] [--sasl-user ADDR] --from ADDR --rcpt ADDR
  user add ADDR [--role admin|operator|user] [--no-mailbox] [--password-stdin]
  user list [PREFIX] | user remove ADDR | user passwd ADDR [--password-stdin]
  alias add ADDR TARGET... | alias list | alias remove ADDR
  domain add NAME --local|--relay | domain list | domain remove NAME
  network add CIDR [--note TEXT] [--confirm-wide] | network list | network remove CIDR
  set NAME=VALUE... | unset NAME...         change main.cf parameters (postconf -e style)
  queue [list] | queue flush | queue retry ID | queue show ID | queue delete ID | queue hold ID | queue release ID`;

class UsageError extends Error {}

const flags = (args: string[]) => {
  const named = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const [k, v] = a.slice(2).split('=', 2) as [string, string | undefined];
    if (v !== undefined) named.set(k, v);
    else if (['client', 'helo', 'sasl-user', 'from', 'rcpt', 'role', 'note'].includes(k)) {
      const next = args[++i];
      if (next === undefined) throw new UsageError(`--${k} needs a value`);
      named.set(k, next);
    } else named.set(k, true);
  }
  return { named, positional, str: (k: string) => (typeof named.get(k) === 'string' ? (named.get(k) as string) : undefined) };
};

const readStdin = async () => {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
};

const openDb = async (): Promise<Db> => {
  const config = loadConfig();
  await migrateDatabase(config.databaseUrl);
  const db = await createPrismaClient(config.databaseUrl);
  await initializeDatabase(db, { dataDir: config.dataDir, adminEmail: config.adminEmail, adminPassword: config.adminPassword });
  return db;
};

const out = (s: string) => process.stdout.write(`${s}\n`);

const run = async (argv: string[]): Promise<number> => {
  const [cmd, sub, ...rest] = argv;
  if (!cmd || cmd === 'help' || cmd === '--help') {
    out(USAGE);
    return cmd ? 0 : 2;
  }
  if (cmd === 'serve') {
    const f = flags([sub, ...rest].filter((x): x is string => x !== undefined));
    await serve({ dev: f.named.has('dev'), role: f.str('role') });
    return -1; // keeps running
  }
  if (cmd === 'db') {
    const config = loadConfig();
    if (sub === 'migrate') {
      const r = await migrateDatabase(config.databaseUrl);
      out(r.applied.length ? `applied: ${r.applied.join(', ')}` : `${r.provider}: no pending migrations`);
      return 0;
    }
    if (sub === 'new-migration') {
      const name = rest[0];
      if (!name) throw new UsageError('db new-migration NAME');
      const written = await createMigration(name, process.env.POSTERN_PG_SHADOW_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
      out(written.length ? written.map((w) => `wrote ${path.relative(process.cwd(), w)}/migration.sql`).join('\n') : 'the schema has not changed: nothing written');
      return 0;
    }
    throw new UsageError('db migrate | db new-migration NAME');
  }

  const db = await openDb();
  try {
    const f = flags(rest);
    switch (cmd) {
      case 'import-postfix': {
        const file = sub;
        if (!file) throw new UsageError('import-postfix FILE [--dry-run]');
        const report = await importMainCf(db, CLI_ACTOR, readFileSync(file, 'utf8'), { dryRun: f.named.has('dry-run') });
        out(`${report.applied ? 'imported' : 'would import (dry run)'}: ${report.imported.length} parameters, ${report.domains.length} domains, ${report.networks.length} networks`);
        for (const e of report.imported) out(`  + line ${e.line}: ${e.name} = ${e.value}`);
        for (const d of report.domains) out(`  + ${d.kind === 'LOCAL' ? 'local' : 'relay'} domain ${d.name}`);
        for (const n of report.networks) out(`  + trusted network ${n.cidr}`);
        for (const i of report.ignored) out(`  - line ${i.line}: ignored ${i.parameter}: ${i.message}`);
        for (const w of report.warnings) out(`  ! line ${w.line}: ${w.message}`);
        if (report.preview) for (const line of previewLines(report.preview)) out(line);
        if (report.applied) out(`policy revision ${report.revision} is live`);
        return 0;
      }
      case 'export-postfix':
        process.stdout.write(await exportMainCf(db, CLI_ACTOR));
        return 0;
      case 'check': {
        const g = flags([sub, ...rest].filter((x): x is string => x !== undefined));
        const client = g.str('client');
        const from = g.str('from');
        const rcpt = g.str('rcpt');
        if (!client || from === undefined || !rcpt) throw new UsageError('check --client IP --from ADDR --rcpt ADDR');
        const d = await checkPolicy(db, CLI_ACTOR, { client, helo: g.str('helo'), saslUser: g.str('sasl-user'), from, rcpt });
        out(`${d.reply.code} ${d.reply.enhanced} ${d.reply.text}`.replace(/\s+$/, ''));
        out(`decision: ${d.action}${d.by ? ` by ${d.by}` : ''} (policy revision ${d.revision})`);
        for (const t of d.trace) out(`  ${t.list ? `${t.list}: ` : ''}${t.restriction ? `${t.restriction} → ` : ''}${t.fact}`);
        return d.action === 'accept' ? 0 : 1;
      }
      case 'user': {
        if (sub === 'add') {
          const address = f.positional[0];
          if (!address) throw new UsageError('user add ADDR [--role …] [--password-stdin]');
          const role = (f.str('role') ?? 'user').toUpperCase() as Role;
          const password = f.named.has('password-stdin') ? await readStdin() : (process.env.POSTERN_USER_PASSWORD ?? '');
          if (!password) throw new UsageError('give the password on standard input with --password-stdin');
          const u = await createUser(db, CLI_ACTOR, { address, password, role, hasMailbox: !f.named.has('no-mailbox') });
          out(`added ${u.address} (${u.role.toLowerCase()}${u.hasMailbox ? ', mailbox' : ''})`);
          return 0;
        }
        if (sub === 'list') {
          const r = await findUsers(db, CLI_ACTOR, { q: f.positional[0] ?? '', pageSize: 200 });
          for (const u of r.rows) out(`${u.address}\t${u.role.toLowerCase()}\t${u.hasMailbox ? 'mailbox' : '-'}\t${u.active ? 'active' : 'disabled'}`);
          out(`${r.total} user(s)${r.total > r.rows.length ? `, first ${r.rows.length} shown` : ''}`);
          return 0;
        }
        if (sub === 'remove') {
          const u = await deleteUser(db, CLI_ACTOR, f.positional[0] ?? '');
          out(`removed ${u.address}`);
          return 0;
        }
        if (sub === 'passwd') {
          const password = await readStdin();
          await resetUserPassword(db, CLI_ACTOR, f.positional[0] ?? '', password);
          out('password changed');
          return 0;
        }
        throw new UsageError('user add|list|remove|passwd');
      }
      case 'alias': {
        if (sub === 'add') {
          const [address, ...targets] = f.positional;
          if (!address || !targets.length) throw new UsageError('alias add ADDR TARGET...');
          await createAlias(db, CLI_ACTOR, { address, targets });
          out(`${address} → ${targets.join(', ')}`);
          return 0;
        }
        if (sub === 'list') {
          for (const a of await findAliases(db, CLI_ACTOR)) out(`${a.address}\t${a.target}`);
          return 0;
        }
        if (sub === 'remove') {
          await deleteAlias(db, CLI_ACTOR, f.positional[0] ?? '');
          out(`removed ${f.positional[0]}`);
          return 0;
        }
        throw new UsageError('alias add|list|remove');
      }
      case 'domain': {
        if (sub === 'add') {
          const name = f.positional[0];
          const kind = f.named.has('relay') ? 'RELAY' : f.named.has('local') ? 'LOCAL' : undefined;
          if (!name || !kind) throw new UsageError('domain add NAME --local|--relay');
          const d = await createDomain(db, CLI_ACTOR, { name, kind });
          out(`added ${d.kind === 'LOCAL' ? 'local' : 'relay'} domain ${d.name}`);
          return 0;
        }
        if (sub === 'list') {
          for (const d of await findDomains(db, CLI_ACTOR)) out(`${d.name}\t${d.kind.toLowerCase()}\t${d.active ? 'active' : 'disabled'}`);
          return 0;
        }
        if (sub === 'remove') {
          const d = await deleteDomain(db, CLI_ACTOR, f.positional[0] ?? '');
          out(`removed ${d.name}`);
          return 0;
        }
        throw new UsageError('domain add|list|remove');
      }
      case 'network': {
        if (sub === 'add') {
          const n = await createNetwork(db, CLI_ACTOR, { cidr: f.positional[0] ?? '', note: f.str('note') ?? '', confirmWide: f.named.has('confirm-wide') });
          out(`trusted ${n.cidr}`);
          return 0;
        }
        if (sub === 'list') {
          for (const n of await findNetworks(db, CLI_ACTOR)) out(`${n.cidr}\t${n.note}`);
          return 0;
        }
        if (sub === 'remove') {
          const n = await deleteNetwork(db, CLI_ACTOR, f.positional[0] ?? '');
          out(`removed ${n.cidr}`);
          return 0;
        }
        throw new UsageError('network add|list|remove');
      }
      case 'set':
      case 'unset': {
        const items = [sub, ...rest].filter((x): x is string => !!x);
        if (!items.length) throw new UsageError(`${cmd} NAME${cmd === 'set' ? '=VALUE' : ''}...`);
        const changes: Record<string, string | null> = {};
        for (const item of items) {
          if (cmd === 'unset') changes[item] = null;
          else {
            const eq = item.indexOf('=');
            if (eq < 1) throw new UsageError(`expected NAME=VALUE, got "${item}"`);
            changes[item.slice(0, eq).trim()] = item.slice(eq + 1).trim();
          }
        }
        const r = await updateSettings(db, CLI_ACTOR, changes);
        out(`${cmd === 'set' ? 'set' : 'unset'} ${r.changed.join(', ')}`);
        for (const u of r.unknown) out(`  note: ${u} is not a Postern parameter (kept as a user variable)`);
        return 0;
      }
      case 'queue': {
        const id = f.positional[0] ?? '';
        if (!sub || sub === 'list') {
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
        }
        if (sub === 'flush') {
          out(`${await retryQueue(db, CLI_ACTOR)} recipient(s) scheduled for immediate delivery`);
          return 0;
        }
        if (sub === 'retry') {
          out(`${id}: ${await retryQueue(db, CLI_ACTOR, id)} recipient(s) scheduled for immediate delivery`);
          return 0;
        }
        if (sub === 'delete') {
          await deleteQueuedMessage(db, CLI_ACTOR, id);
          out(`${id}: removed`);
          return 0;
        }
        if (sub === 'hold') {
          await holdMessage(db, CLI_ACTOR, id);
          out(`${id}: placed on hold`);
          return 0;
        }
        if (sub === 'release') {
          await releaseMessage(db, CLI_ACTOR, id);
          out(`${id}: released from hold`);
          return 0;
        }
        if (sub === 'show') {
          process.stdout.write(await showQueuedMessage(db, CLI_ACTOR, id));
          return 0;
        }
        throw new UsageError('queue [list] | flush | retry ID | show ID | delete ID | hold ID | release ID');
      }
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } finally {
    await db.$disconnect();
  }
};

run(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e: unknown) => {
    if (e instanceof UsageError) {
      process.stderr.write(`postern: ${e.message}\n${USAGE}\n`);
      process.exit(2);
    }
    if (e instanceof AppError || e instanceof ConfigError) {
      process.stderr.write(`postern: ${e.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`postern: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
