// Accepting a message into the queue: expand aliases (virtual_alias_maps semantics, up to
// 10 levels, loops cut), write the spool file durably, commit the queue rows. Only when
// both are done may the SMTP layer answer 250. Also re-queues orphaned spool files after
// a crash between the two steps.
import type { Policy } from '../policy/compile-policy';
import type { QueueStore } from '../store/prisma-queue-store';
import { newQueueId } from './queue-id';
import { listSpoolFiles, readSpoolFile, writeSpoolFile, type SpoolEnvelope } from './spool';

export const expandAliases = (policy: Policy, address: string): string[] => {
  const out = new Set<string>();
  const walk = (addr: string, depth: number, seen: Set<string>) => {
    const targets = policy.aliasTargets(addr);
    if (!targets || depth >= 10) {
      out.add(addr);
      return;
    }
    for (const t of targets) {
      if (seen.has(t)) {
        out.add(t);
        continue;
      }
      walk(t, depth + 1, new Set([...seen, t]));
    }
  };
  walk(address.toLowerCase(), 0, new Set([address.toLowerCase()]));
  return [...out];
};

export type EnqueueInput = Omit<SpoolEnvelope, 'queueId' | 'recipients' | 'receivedAt'> & {
  recipients: string[];
  body: Buffer[];
  queueId?: string;
};

export const enqueueMessage = async (deps: { store: QueueStore; spoolDir: string; policy: Policy }, input: EnqueueInput) => {
  const queueId = input.queueId ?? newQueueId();
  const recipients = input.recipients.flatMap((original) => {
    const resolved = deps.policy.resolve(original).address;
    return expandAliases(deps.policy, resolved).map((address) => ({ address, original }));
  });
  const env: SpoolEnvelope = {
    queueId,
    sender: input.sender,
    recipients,
    clientAddress: input.clientAddress,
    clientName: input.clientName,
    helo: input.helo,
    saslUser: input.saslUser,
    protocol: input.protocol,
    receivedAt: new Date().toISOString(),
  };
  const size = input.body.reduce((n, b) => n + b.length, 0);
  const spoolPath = writeSpoolFile(deps.spoolDir, env, input.body);
  await deps.store.insertMessage(env, spoolPath, size);
  return { queueId, size, recipients };
};

/** Spool files whose queue rows never committed (crash between fsync and commit). */
export const recoverOrphans = async (store: QueueStore, spoolDir: string): Promise<string[]> => {
  const recovered: string[] = [];
  for (const file of listSpoolFiles(spoolDir)) {
    const { envelope, message } = readSpoolFile(file);
    if (await store.hasMessage(envelope.queueId)) continue;
    await store.insertMessage(envelope, file, message.length);
    recovered.push(envelope.queueId);
  }
  return recovered;
};
