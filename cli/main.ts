// `postern …`: a thin shell over the same services the console uses, so a whole set-up can
// be scripted. The commands are a table (commands.ts); this file finds the command, parses
// its arguments strictly, opens the database as the command needs it, and maps errors to
// exit codes: 0 ok, 1 refused or failed, 2 usage error.
import { parseArgs } from 'node:util';
import { createPrismaClient, type Db } from '../prisma/client';
import { migrateDatabase, pendingMigrations } from '../prisma/migrate';
import { ConfigError, loadConfig } from '../mail-engine/config';
import { AppError } from '../server/errors/app-error';
import { initializeDatabase } from '../server/services/setup/initialize-database';
import { COMMANDS, UsageError, type Command } from './commands';

const USAGE = `usage: postern <command>
${[...new Set(Object.values(COMMANDS))].map((c) => `  ${c.usage}`).join('\n')}
Commands that only read (list, show, check, export-postfix, queue) need a database that
Postern has created: run \`postern db migrate\` or start Postern once.`;

/** The command named by the first one or two words, and the arguments after them. */
const find = (argv: string[]): { name: string; command: Command; rest: string[] } | undefined => {
  const [a, b] = argv;
  if (a && b && COMMANDS[`${a} ${b}`]) return { name: `${a} ${b}`, command: COMMANDS[`${a} ${b}`]!, rest: argv.slice(2) };
  if (a && COMMANDS[a]) return { name: a, command: COMMANDS[a]!, rest: argv.slice(1) };
  return undefined;
};

const openDb = async (access: 'read' | 'write'): Promise<Db> => {
  const config = loadConfig();
  // The services seal secrets (DKIM keys) and write the console log as the server does.
  process.env.AUTH_SECRET ??= config.authSecret;
  process.env.POSTERN_DATA_DIR ??= config.dataDir;
  if (access === 'write') {
    await migrateDatabase(config.databaseUrl);
    const db = await createPrismaClient(config.databaseUrl);
    await initializeDatabase(db, { dataDir: config.dataDir, adminEmail: config.adminEmail, adminPassword: config.adminPassword });
    return db;
  }
  // Reading never creates, migrates or sets up a database.
  const pending = await pendingMigrations(config.databaseUrl);
  if (pending === undefined) throw new ConfigError(`no Postern database at ${config.databaseUrl} yet: run \`postern db migrate\` or start Postern once (same POSTERN_DATA_DIR / DATABASE_URL)`);
  if (pending.length) throw new ConfigError(`the database at ${config.databaseUrl} needs ${pending.length} migration(s): run \`postern db migrate\``);
  return createPrismaClient(config.databaseUrl);
};

const run = async (argv: string[]): Promise<number> => {
  if (!argv.length || argv[0] === 'help' || argv[0] === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return argv.length ? 0 : 2;
  }
  const found = find(argv);
  if (!found) throw new UsageError(`unknown command "${argv.slice(0, 2).join(' ')}"`);
  const { command, rest, name } = found;
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`${name}: ${(e as Error).message.replace(/\. To specify.*$/s, '')}\n  usage: postern ${command.usage}`);
  }
  const [min, max] = command.positionals;
  if (parsed.positionals.length < min || parsed.positionals.length > max) throw new UsageError(`usage: postern ${command.usage}`);
  if (command.access === 'none') return command.run({ db: undefined as never, values: parsed.values, positionals: parsed.positionals });
  const db = await openDb(command.access);
  try {
    return await command.run({ db, values: parsed.values, positionals: parsed.positionals });
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
      process.stderr.write(`postern: ${e.message}\n`);
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
