// Process configuration from the environment, validated once at start-up (zod).
// Every variable is documented in README.md § Environment; keep the two in step.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const optionalPort = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a TCP port (0-65535)` });
      return z.NEVER;
    }
    return n;
  });

const envSchema = z.object({
  POSTERN_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().optional(),
  PORT: port.default(3000),
  POSTERN_WEB_HOST: z.string().min(1).default('0.0.0.0'),
  POSTERN_ROLE: z.enum(['all', 'web', 'engine']).default('all'),
  POSTERN_NODE_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).optional(),
  POSTERN_ADMIN_EMAIL: z.string().min(3).default('admin@localhost'),
  POSTERN_ADMIN_PASSWORD: z.string().min(1).optional(),
  POSTERN_SMTP_PORT: optionalPort,
  POSTERN_SUBMISSION_PORT: optionalPort,
  POSTERN_SMTPS_PORT: optionalPort,
  POSTERN_DNS_SERVER: z.string().optional(),
  POSTERN_POLICY_POLL_MS: z.coerce.number().int().min(10).max(60_000).optional(),
  AUTH_SECRET: z.string().min(16).optional(),
  AUTH_URL: z.string().url().optional(),
});

export type PosternConfig = {
  dataDir: string;
  databaseUrl: string;
  webPort: number;
  webHost: string;
  role: 'all' | 'web' | 'engine';
  nodeId: string;
  adminEmail: string;
  adminPassword?: string;
  portOverrides: { smtpd?: number; submission?: number; submissions?: number };
  dnsServer?: string;
  /** Undefined: 25 ms on SQLite, 1000 ms on PostgreSQL (where NOTIFY normally arrives first). */
  policyPollMs?: number;
  authSecret: string;
};

export class ConfigError extends Error {}

/** AUTH_SECRET, or one generated on first start and kept (0600) in the data directory. */
const loadAuthSecret = (dataDir: string, fromEnv?: string) => {
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir, 'auth-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
};

export const loadConfig = (env: Record<string, string | undefined> = process.env): PosternConfig => {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.POSTERN_DATA_DIR);
  // Everything under it is the server's own: mail, keys, the database (0700).
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const databaseUrl = e.DATABASE_URL || `file:${path.join(dataDir, 'postern.db')}`;
  if (!/^(file:|postgres(ql)?:\/\/)/i.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must be file:PATH (SQLite) or postgresql://… (PostgreSQL)');
  }
  return {
    dataDir,
    databaseUrl,
    webPort: e.PORT,
    webHost: e.POSTERN_WEB_HOST,
    role: e.POSTERN_ROLE,
    nodeId: e.POSTERN_NODE_ID ?? `${os.hostname()}-${e.POSTERN_SMTP_PORT ?? 'smtp'}`,
    adminEmail: e.POSTERN_ADMIN_EMAIL.toLowerCase(),
    adminPassword: e.POSTERN_ADMIN_PASSWORD,
    portOverrides: {
      smtpd: e.POSTERN_SMTP_PORT,
      submission: e.POSTERN_SUBMISSION_PORT,
      submissions: e.POSTERN_SMTPS_PORT,
    },
    dnsServer: e.POSTERN_DNS_SERVER,
    policyPollMs: e.POSTERN_POLICY_POLL_MS,
    authSecret: loadAuthSecret(dataDir, e.AUTH_SECRET),
  };
};
