// The queue manager: leases due recipients, reads each spool file once, delivers (local
// Maildir or LMTP, or SMTP to relayhost/MX), records the outcome with Postfix's retry
// schedule, bounces permanent failures and expired mail to the sender (never to <>), and
// removes the spool file once every recipient is final. kick() runs it at once.
import type { Resolver } from 'node:dns/promises';
import path from 'node:path';
import type { Policy } from '../policy/compile-policy';
import { parseTime } from '../policy/parameters';
import type { EngineLogger } from '../log/logger';
import type { DueRecipient, QueueStore } from '../store/prisma-queue-store';
import { buildBounce, type FailedRecipient } from '../delivery/bounce';
import type { DeliveryOutcome } from '../delivery/classify-reply';
import { deliverToMaildir } from '../delivery/deliver-maildir';
import { lookupTargets, parseNextHop, sendSmtp } from '../delivery/deliver-smtp';
import { enqueueMessage } from './enqueue-message';
import { isExpired, nextAttemptAt, type RetryPolicy } from './retry-schedule';
import { readSpoolFile, removeSpoolFile } from './spool';

export type QueueRunnerDeps = {
  store: QueueStore;
  policy: () => Policy | undefined;
  logger: EngineLogger;
  dataDir: string;
  nodeId: string;
  resolver: Resolver;
  intervalMs?: number;
};

const retryPolicy = (p: Policy): RetryPolicy => ({
  minimalBackoffS: parseTime(p.params.minimal_backoff_time ?? '300s') ?? 300,
  maximalBackoffS: parseTime(p.params.maximal_backoff_time ?? '4000s') ?? 4000,
  maximalQueueLifetimeS: parseTime(p.params.maximal_queue_lifetime ?? '5d') ?? 432_000,
});

export const createQueueRunner = (deps: QueueRunnerDeps) => {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  const spoolDir = path.join(deps.dataDir, 'spool');
  const mailRoot = path.join(deps.dataDir, 'mail');

  const deliverOne = async (policy: Policy, r: DueRecipient, sender: string, message: Buffer): Promise<DeliveryOutcome> => {
    const resolved = policy.resolve(r.address);
    if (resolved.addressClass === 'local') {
      if (policy.params.local_transport === 'lmtp') {
        const hop = (policy.params.lmtp_destination ?? '').replace(/^inet:/, '');
        const { host, port } = parseNextHop(hop.includes('[') ? hop : `[${hop.replace(/:(\d+)$/, ']:$1')}`, 24);
        return sendSmtp({ targets: [{ host, port }], from: sender, to: [r.address], message, heloName: policy.myhostname, tls: 'none', lmtp: true });
      }
      const user = await deps.store.userMailbox(resolved.address);
      if (!user || !user.active || !user.hasMailbox) {
        return { kind: 'bounced', dsn: '5.1.1', text: `unknown user: "${resolved.localPart}"`, relay: 'local' };
      }
      const headers = `Return-Path: <${sender}>\r\nDelivered-To: ${resolved.address}\r\n`;
      return deliverToMaildir(mailRoot, resolved.address, headers, message, Number(user.quotaBytes));
    }
    const relayhost = policy.params.relayhost ?? '';
    let targets;
    try {
      if (relayhost) {
        const hop = parseNextHop(relayhost);
        targets = hop.mxLookup ? await lookupTargets(deps.resolver, hop.host, hop.port) : [{ host: hop.host, port: hop.port }];
      } else {
        targets = await lookupTargets(deps.resolver, resolved.domain, 25);
      }
    } catch (e) {
      return { kind: 'deferred', dsn: '4.4.3', text: `Host or domain name not found. Name service error for name=${resolved.domain}: ${(e as Error).message}`, relay: 'none' };
    }
    const tls = (policy.params.smtp_tls_security_level ?? 'may') as 'none' | 'may' | 'encrypt';
    return sendSmtp({ targets, from: sender, to: [r.address], message, heloName: policy.myhostname, tls, resolver: deps.resolver });
  };

  const tick = async () => {
    const policy = deps.policy();
    if (!policy) return;
    const due = await deps.store.leaseDue(deps.nodeId, 50, 10 * 60_000);
    const byMessage = new Map<string, DueRecipient[]>();
    for (const r of due) byMessage.set(r.message.id, [...(byMessage.get(r.message.id) ?? []), r]);
    const retry = retryPolicy(policy);
    for (const [messageId, rcpts] of byMessage) {
      const m = rcpts[0]!.message;
      let spool;
      try {
        spool = readSpoolFile(m.spoolPath);
      } catch (e) {
        for (const r of rcpts) await deps.store.markDeferred(r.id, `spool file unreadable: ${(e as Error).message}`, nextAttemptAt(r.attempts + 1, new Date(), retry));
        continue;
      }
      const failed: FailedRecipient[] = [];
      for (const r of rcpts) {
        const started = Date.now();
        let outcome: DeliveryOutcome;
        try {
          outcome = await deliverOne(policy, r, m.sender, spool.message);
        } catch (e) {
          outcome = { kind: 'deferred', dsn: '4.3.0', text: `delivery failed: ${(e as Error).message}`, relay: 'none' };
        }
        const now = new Date();
        if (outcome.kind === 'deferred' && isExpired(m.receivedAt, now, retry)) {
          outcome = { ...outcome, kind: 'bounced', text: `message expired after ${retry.maximalQueueLifetimeS}s: ${outcome.text}` };
        }
        const delay = ((now.getTime() - m.receivedAt.getTime()) / 1000).toFixed(2);
        const detail = {
          service: outcome.relay === 'local' ? 'local' : policy.params.local_transport === 'lmtp' && policy.resolve(r.address).addressClass === 'local' ? 'lmtp' : 'smtp',
          relay: outcome.relay,
          delay,
          delays: `0/0/0/${((now.getTime() - started) / 1000).toFixed(2)}`,
          ...(r.originalAddress !== r.address ? { orig_to: r.originalAddress } : {}),
        };
        const base = { queueId: messageId, sender: m.sender, recipient: r.address, enhanced: outcome.dsn, text: outcome.text, detail };
        if (outcome.kind === 'sent') {
          await deps.store.markDelivered(r.id);
          deps.logger.emit({ event: 'delivery.sent', status: 'sent', ...base });
        } else if (outcome.kind === 'deferred') {
          await deps.store.markDeferred(r.id, outcome.text, nextAttemptAt(r.attempts + 1, now, retry));
          deps.logger.emit({ event: 'delivery.deferred', status: 'deferred', ...base });
        } else {
          const expired = outcome.text.startsWith('message expired');
          await deps.store.markFailed(r.id, expired ? 'EXPIRED' : 'BOUNCED', outcome.text);
          deps.logger.emit({ event: expired ? 'delivery.expired' : 'delivery.bounced', status: expired ? 'expired' : 'bounced', ...base });
          failed.push({ address: r.address, original: r.originalAddress, dsn: outcome.dsn, text: outcome.text, action: 'failed' });
        }
      }
      if (failed.length && m.sender !== '') {
        const headerEnd = spool.message.indexOf('\r\n\r\n');
        const bounce = buildBounce({
          myhostname: policy.myhostname,
          queueId: messageId,
          sender: m.sender,
          arrivalDate: m.receivedAt,
          failed,
          originalHeaders: spool.message.subarray(0, headerEnd < 0 ? spool.message.length : headerEnd).toString('utf8'),
        });
        const b = await enqueueMessage({ store: deps.store, spoolDir, policy }, {
          sender: '', recipients: [m.sender], body: [bounce], clientAddress: '127.0.0.1', clientName: 'localhost', helo: policy.myhostname, saslUser: '', protocol: 'local',
        });
        deps.logger.emit({ event: 'bounce.created', queueId: messageId, sender: '', recipient: m.sender, detail: { bounceId: b.queueId } });
        again = true;
      }
      if (await deps.store.finishIfDone(messageId)) {
        removeSpoolFile(m.spoolPath);
        deps.logger.emit({ event: 'message.removed', queueId: messageId });
      }
    }
    if (due.length === 50) again = true;
  };

  const run = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = tick()
      .catch((e) => {
        process.stderr.write(`postern: queue run failed: ${(e as Error).message}\n`);
      })
      .finally(() => {
        running = undefined;
        if (again && !stopped) {
          again = false;
          void run();
        }
      });
    return running!;
  };

  return {
    start() {
      timer = setInterval(() => void run(), deps.intervalMs ?? 1000);
      timer.unref();
      void run();
    },
    kick: () => void run(),
    runOnce: run,
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
};

