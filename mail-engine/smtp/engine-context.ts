// What the stage handlers share: ports and stateful helpers, built by main.ts.
import type { Resolver } from 'node:dns/promises';
import type { ClientRateCounter } from './client-rate';
import type { DiskSpace } from './disk-space';
import type { AuthThrottle } from '../auth/auth-throttle';
import type { EngineLogger } from '../log/logger';
import type { PolicyCache } from '../policy-cache';
import type { CredentialStore } from '../store/prisma-credential-store';
import type { QueueManager } from '../queue/queue-manager';
import type { SigningKey } from '../mail-auth/sign-message';

export type EngineContext = {
  cache: PolicyCache;
  logger: EngineLogger;
  credentials: CredentialStore;
  queue: Pick<QueueManager, 'enqueue'>;
  dataDir: string;
  resolver: Resolver;
  throttle: AuthThrottle;
  /** Open connections per client address (smtpd_client_connection_count_limit). */
  perClient: Map<string, number>;
  /** Connection start times per client address in the last minute (rate limit). */
  perClientRate: ClientRateCounter;
  /** Free space in the data directory (queue_minfree at MAIL FROM). */
  diskSpace: DiskSpace;
  /** Active DKIM keys by domain (reloaded with every policy revision). */
  signingKeys: () => ReadonlyMap<string, SigningKey[]>;
};
