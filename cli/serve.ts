// `postern serve` (what `npm start` runs): migrate, first-run setup, then the web console
// and the mail engine in one Node process (or one of them with --role web|engine), sharing
// the database. SIGTERM/SIGINT stop both cleanly.
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPrismaClient, providerOf } from '../prisma/client';
import { migrateDatabase } from '../prisma/migrate';
import { ConfigError, loadConfig, type PosternConfig } from '../mail-engine/config';
import { startMailEngine, type MailEngine } from '../mail-engine/main';
import { initializeDatabase } from '../server/services/setup/initialize-database';
import { fromTrustedProxy, stampClientAddress, trustedProxies } from './client-address';
import { applySecurityHeaders, refuseCrossOrigin } from './security-headers';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const exportEnvForWeb = (config: PosternConfig) => {
  process.env.DATABASE_URL = config.databaseUrl;
  process.env.POSTERN_DATA_DIR = config.dataDir;
  process.env.AUTH_SECRET = config.authSecret;
  process.env.AUTH_TRUST_HOST ??= 'true';
  process.env.NEXT_TELEMETRY_DISABLED = '1';
};

export const serve = async (opts: { dev?: boolean; role?: string }) => {
  const config = loadConfig({ ...process.env, ...(opts.role ? { POSTERN_ROLE: opts.role } : {}) });
  const log = (m: string) => process.stdout.write(`postern: ${m}\n`);
  log(`data directory ${config.dataDir}; database ${providerOf(config.databaseUrl)}${providerOf(config.databaseUrl) === 'sqlite' ? ` (${config.databaseUrl.slice(5)})` : ''}`);
  const migrated = await migrateDatabase(config.databaseUrl);
  if (migrated.applied.length) log(`applied migrations: ${migrated.applied.join(', ')}`);
  const db = await createPrismaClient(config.databaseUrl);
  const init = await initializeDatabase(db, { dataDir: config.dataDir, adminEmail: config.adminEmail, adminPassword: config.adminPassword });
  if (init.admin?.password) {
    log(`created the first admin ${init.admin.address} with the password: ${init.admin.password}`);
    log(`(also written to ${init.admin.passwordFile}, mode 0600; change it after signing in)`);
  } else if (init.admin) {
    log(`created the first admin ${init.admin.address} (password from POSTERN_ADMIN_PASSWORD)`);
  }

  // The process lives until it is stopped, whatever else holds the event loop: the engine's
  // worker thread and timers do not (they are unref'd), so without a listener a start-up
  // wait on them would let Node end the process with exit code 0.
  const alive = setInterval(() => {}, 1 << 30);
  let engine: MailEngine | undefined;
  if (config.role !== 'web') {
    engine = await startMailEngine(config, { db });
    for (const l of engine.listeners()) {
      if (l.up) log(`${l.service} listening on ${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port}${l.tls ? ' (TLS available)' : ''}`);
    }
    // Some ports may fail (each said why above) and the rest keeps serving; with none, there
    // is nothing to serve, and a supervisor must hear so (exit 1), not see a running process.
    if (!engine.listeners().some((l) => l.up)) {
      await engine.close();
      await db.$disconnect().catch(() => {});
      clearInterval(alive);
      throw new ConfigError('no SMTP service could listen on any of its ports (see above): stopping');
    }
  }

  let web: http.Server | undefined;
  if (config.role !== 'engine') {
    exportEnvForWeb(config);
    const { default: next } = await import('next');
    const app = next({ dev: !!opts.dev, dir: root, hostname: config.webHost, port: config.webPort });
    await app.prepare();
    const handle = app.getRequestHandler();
    let proxies;
    try {
      proxies = trustedProxies(process.env.POSTERN_TRUSTED_PROXIES);
    } catch (e) {
      throw new ConfigError(`POSTERN_TRUSTED_PROXIES: ${(e as Error).message}`);
    }
    web = http.createServer((req, res) => {
      stampClientAddress(req, proxies);
      // X-Forwarded-Proto is believed only from a trusted proxy, like X-Forwarded-For.
      const https = fromTrustedProxy(req, proxies) && req.headers['x-forwarded-proto'] === 'https';
      applySecurityHeaders(req, res, { dev: !!opts.dev, https });
      const refused = refuseCrossOrigin(req, process.env.AUTH_URL, https);
      if (refused) {
        res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end(`Refused: ${refused}.\n`);
        return;
      }
      void handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      web!.once('error', (e: NodeJS.ErrnoException) =>
        reject(new Error(`cannot listen for the web console on ${config.webHost}:${config.webPort}: ${e.code === 'EADDRINUSE' ? 'the port is in use' : e.message}; set PORT to a free port`)),
      );
      web!.listen(config.webPort, config.webHost, () => resolve());
    });
    const addr = web.address();
    log(`web console on http://localhost:${typeof addr === 'object' && addr ? addr.port : config.webPort}`);
  }
  log('ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    const hard = setTimeout(() => process.exit(1), 10_000);
    hard.unref();
    await Promise.allSettled([
      web ? new Promise<void>((r) => { web!.close(() => r()); web!.closeAllConnections?.(); }) : Promise.resolve(),
      engine?.close(),
    ]);
    await db.$disconnect().catch(() => {});
    clearInterval(alive);
    log('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
};
