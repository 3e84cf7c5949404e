#!/usr/bin/env node
// Build steps that `npm start`, `npm test` and the db scripts run first, so a fresh
// clone needs nothing but `npm ci`:
//   1. derive prisma/postgresql/schema.prisma from prisma/schema.prisma (one source of truth);
//   2. `prisma generate` both clients when the schema changed (offline: the schema-engine
//      binary the CLI insists on is never used for generation, so any existing file will do);
//   3. with --build, `next build` when the console's sources changed since the last build.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const force = args.has('--force');

const run = (cmd, cmdArgs, env = {}) => {
  const res = spawnSync(cmd, cmdArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (res.status !== 0) {
    console.error(`postern: ${cmd} ${cmdArgs.join(' ')} failed (exit ${res.status ?? res.signal})`);
    process.exit(res.status ?? 1);
  }
};

const hashFiles = (entries) => {
  const h = createHash('sha256');
  const walk = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        if (name === 'node_modules' || name === 'generated' || name.startsWith('.')) continue;
        walk(path.join(p, name));
      }
      return;
    }
    h.update(path.relative(root, p));
    h.update(readFileSync(p));
  };
  for (const e of entries) walk(path.join(root, e));
  return h.digest('hex');
};

// ── 1. derived PostgreSQL schema ───────────────────────────────────────────────
const sqliteSchemaPath = path.join(root, 'prisma/schema.prisma');
const pgSchemaPath = path.join(root, 'prisma/postgresql/schema.prisma');
const source = readFileSync(sqliteSchemaPath, 'utf8');
const derived =
  '// GENERATED from prisma/schema.prisma by scripts/prepare.mjs — do not edit.\n' +
  source
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace('output       = "./generated/sqlite"', 'output       = "../generated/postgresql"');
mkdirSync(path.dirname(pgSchemaPath), { recursive: true });
if (!existsSync(pgSchemaPath) || readFileSync(pgSchemaPath, 'utf8') !== derived) {
  writeFileSync(pgSchemaPath, derived);
}

// ── 2. prisma generate ─────────────────────────────────────────────────────────
const genStamp = path.join(root, 'prisma/generated/.stamp');
const genHash = hashFiles(['prisma/schema.prisma', 'node_modules/prisma/package.json']);
if (force || !existsSync(genStamp) || readFileSync(genStamp, 'utf8') !== genHash) {
  const env = { PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };
  const prismaCli = path.join(root, 'node_modules/prisma/build/index.js');
  run(process.execPath, [prismaCli, 'generate', '--schema', 'prisma/schema.prisma'], env);
  run(process.execPath, [prismaCli, 'generate', '--schema', 'prisma/postgresql/schema.prisma'], env);
  mkdirSync(path.dirname(genStamp), { recursive: true });
  writeFileSync(genStamp, genHash);
}

// ── 3. next build ──────────────────────────────────────────────────────────────
if (args.has('--build')) {
  const buildStamp = path.join(root, '.next/postern-build-hash');
  const BUILD_INPUTS = [
    'app', 'components', 'server', 'mail-engine', 'prisma/schema.prisma', 'prisma/client.ts', 'prisma/policy-rows.ts',
    'next.config.ts', 'postcss.config.mjs', 'tsconfig.json', 'package-lock.json', 'middleware.ts', 'proxy.ts',
  ];
  const buildHash = hashFiles(BUILD_INPUTS);
  const built = existsSync(path.join(root, '.next/BUILD_ID')) && existsSync(buildStamp);
  if (force || !built || readFileSync(buildStamp, 'utf8') !== buildHash) {
    console.log('postern: building the web console (next build) — this happens once per source change');
    run(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], { NEXT_TELEMETRY_DISABLED: '1' });
    // Hashed again after the build: next build may rewrite tsconfig.json.
    writeFileSync(buildStamp, hashFiles(BUILD_INPUTS));
  }
}
