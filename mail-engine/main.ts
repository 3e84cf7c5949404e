// The engine's composition root: startMailEngine(config, deps) → { close() }.
// Loads and compiles the policy (keeping the last good one), binds the listeners, recovers
// the queue after a crash, runs deliveries, heartbeats this node's applied revision, and
// reloads within a second of a commit: at once through the in-process bus (and PostgreSQL
// LISTEN/NOTIFY across nodes), with a revision poll as the safety net.
import path from 'node:path';
import type { PosternConfig } from './config';
import { createAuthThrottle } from './auth/auth-throttle';
import { createResolver } from './delivery/deliver-smtp';
import { createEngineLogger, type LoggedEvent } from './log/logger';
import { openEventJournal, type JournaledRow } from './store/event-journal';
import { onPolicyRevision } from './policy/policy-bus';
import { PolicyCache } from './policy-cache';
import { createQueueManager } from './queue/queue-manager';
import { ClientRateCounter } from './smtp/client-rate';
import { createDiskSpace } from './smtp/disk-space';
import { Listeners, type ListenerStatus } from './smtp/listeners';
import { loadTlsMaterial, type TlsMaterial } from './smtp/tls';
import type { EngineContext } from './smtp/engine-context';
import { createDeliveryLogSink } from './store/delivery-log-sink';
import { createEngineNodeStore } from './store/engine-node-store';
import { openQueueStore, type Db } from './store/open-queue-store';
import { listenForPolicyRevisions } from './store/policy-listener';
import { createPrismaCredentialStore } from './store/prisma-credential-store';
import { loadSigningKeys } from './store/dkim-key-store';
import type { SigningKey } from './mail-auth/sign-message';
import { createPrismaPolicyStore, defaultPolicyPollMs } from './store/prisma-policy-store';
import { remoteAuthFacts } from './store/remote-auth-failures';
import { clearSpool, spoolDirOf } from './queue/large-bodies';

export const ENGINE_VERSION = '0.1.0';

export type MailEngine = {
  close(): Promise<void>;
  listeners(): ListenerStatus[];
  policyRevision(): number;
  tls?: TlsMaterial;
  refreshPolicy(): Promise<void>;
  /** Whether the PostgreSQL LISTEN connection is up (always false on SQLite). */
  listening(): boolean;
  runQueue(): Promise<void>;
  kickQueue(): void;
  /** Writes the delivery-log rows gathered so far (tests; shutdown does it too). */
  flushLog(): Promise<void>;
};

export const startMailEngine = async (config: PosternConfig, deps: { db: Db; echoLog?: boolean }): Promise<MailEngine> => {
  const { db } = deps;
  const policyStore = await createPrismaPolicyStore(db, config.databaseUrl);
  // The queue and the delivery log take the hot path: plain SQL on a connection of their own
  // (on SQLite, owned by a writer thread so commits never stall the SMTP sessions).
  const store = await openQueueStore(config.databaseUrl);
  // The delivery log: journaled, so the table and mail.log agree after kill -9; what the last
  // run journaled and the table lacks goes to the table first (store/event-journal.ts).
  const logDir = path.join(config.dataDir, 'log');
  const journal = openEventJournal<LoggedEvent>(logDir, config.nodeId);
  const sink = createDeliveryLogSink(store, config.nodeId, (key) => journal.committed(key));
  const recovered = journal.replay(await store.eventsThrough(config.nodeId), path.join(logDir, 'mail.log'), (j) => ({ ...j, at: new Date(j.at as string) }) as unknown as JournaledRow<LoggedEvent>);
  for (const e of recovered) sink.write(e);
  const logger = createEngineLogger({ logDir, sink, journal, echo: deps.echoLog });
  if (recovered.length) logger.raw('master', `recovered ${recovered.length} delivery log event(s) from the journal`);
  // Bound once the policy is loaded; the cache's onApplied reads it before (and after).
  // eslint-disable-next-line prefer-const
  let listeners: Listeners | undefined;
  let tls: TlsMaterial | undefined;
  // The DKIM keys that sign, reloaded with every policy revision (key changes commit one).
  let signingKeys: ReadonlyMap<string, SigningKey[]> = new Map();
  const reloadKeys = async () => {
    try {
      signingKeys = await loadSigningKeys(db, config.authSecret, (line) => logger.raw('master', line));
    } catch (e) {
      logger.raw('master', `warning: DKIM keys not reloaded: ${(e as Error).message}`);
    }
  };
  // Declared before the cache so its first onApplied (during start) can beat.
  let heartbeat: () => Promise<void> = async () => {};

  const cache: PolicyCache = new PolicyCache({
    latestRevision: policyStore.latestRevision,
    loadRows: policyStore.loadRows,
    pollMs: config.policyPollMs ?? defaultPolicyPollMs(config.databaseUrl),
    onApplied: (p) => {
      logger.raw('master', `policy revision ${p.revision} applied`);
      void listeners?.apply(p);
      void reloadKeys();
      void heartbeat();
    },
    onFailed: (revision, errors) => {
      const text = errors instanceof Error ? `reload failed: ${errors.message}` : errors.map((e) => `${e.parameter}: ${e.message}`).join('; ');
      logger.emit({ event: 'policy.reload_failed', status: 'failed', text, detail: { revision } });
    },
  });
  await cache.start();
  await reloadKeys();
  const policy = cache.policy;
  if (!policy) throw new Error('no valid policy in the database: fix the settings (postern export-postfix shows them) and start again');

  try {
    tls = loadTlsMaterial({
      dataDir: config.dataDir,
      certFile: policy.identity.tlsCertFile,
      keyFile: policy.identity.tlsKeyFile,
      hostname: policy.myhostname,
    });
    if (tls.source === 'self-signed') logger.raw('master', `using a self-signed TLS certificate for ${policy.myhostname} (${tls.path}); set smtpd_tls_cert_file for a real one`);
  } catch (e) {
    logger.raw('master', `warning: TLS disabled: ${(e as Error).message}`);
  }

  const resolver = createResolver(config.dnsServer);
  const queue = createQueueManager({ store, policy: () => cache.policy, logger, dataDir: config.dataDir, nodeId: config.nodeId, resolver });
  const ctx: EngineContext = {
    cache,
    logger,
    credentials: createPrismaCredentialStore(db),
    queue,
    dataDir: config.dataDir,
    resolver,
    throttle: createAuthThrottle({
      limit: () => cache.policy?.limits.authFailureLimit ?? 5,
      windowMs: () => cache.policy?.limits.authFailureWindowMs ?? 600_000,
      remote: remoteAuthFacts(db, config.nodeId),
    }),
    perClient: new Map(),
    perClientRate: new ClientRateCounter(),
    diskSpace: createDiskSpace(config.dataDir),
    signingKeys: () => signingKeys,
  };

  // Working copies of large messages a killed run left (the queue holds what was accepted).
  for (const use of ['incoming', 'deliver'] as const) await clearSpool(spoolDirOf(config.dataDir, use));
  listeners = new Listeners(ctx, tls, config.portOverrides, (line) => {
    process.stderr.write(`postern: ${line}\n`);
    logger.emit({ event: 'listener.failed', status: 'failed', text: line });
  });
  await listeners.apply(policy);
  // Leases this node held before a crash are released: their recipients are delivered now.
  await queue.start();

  const nodeRow = createEngineNodeStore(store, config.nodeId, ENGINE_VERSION);
  heartbeat = () =>
    nodeRow.beat({
      appliedRevision: cache.policy?.revision ?? 0,
      listeners: listeners?.status() ?? [],
      tls: tls ? `${tls.source}: ${tls.subject}, valid to ${tls.validTo}` : 'disabled',
    });
  await heartbeat();
  const beat = setInterval(() => void heartbeat(), 5000);
  beat.unref();

  const offBus = onPolicyRevision(() => void cache.refresh(false));
  // PostgreSQL: other nodes' changes arrive by NOTIFY (store/policy-listener.ts).
  const listener = await listenForPolicyRevisions(config.databaseUrl, () => void cache.refresh(false));

  return {
    tls,
    listeners: () => listeners?.status() ?? [],
    policyRevision: () => cache.policy?.revision ?? 0,
    refreshPolicy: () => cache.refresh(true),
    listening: () => listener.listening(),
    runQueue: () => queue.runOnce(),
    kickQueue: () => queue.kick(),
    flushLog: () => logger.flush(),
    close: async () => {
      offBus();
      clearInterval(beat);
      cache.stop();
      await listeners?.close();
      await queue.stop();
      logger.close();
      await sink.close();
      journal.close();
      await listener.close();
      await store.close();
      policyStore.close();
    },
  };
};
