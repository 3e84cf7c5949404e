// The queue manager: the composition of acceptance (acceptance.ts), routing (routing.ts),
// transports (transports.ts), scheduling (scheduler.ts), outcome recording and bounces
// (outcomes.ts) and the database poll (poller.ts), and their lifecycle.
//
// A committed message is handed to delivery from memory (its recipients are leased to this
// node in the same transaction), so the common case never reads the database back.
// Outcomes are recorded in group commits; a message whose recipients are all final is
// deleted (its story stays in the delivery log). Deferred recipients come back through the
// poll when due, with Postfix's backoff; permanent failures and expiry produce an RFC 3464
// bounce to the sender (never to the null sender), which is enqueued like any message.
import type { Resolver } from 'node:dns/promises';
import type { Policy } from '../policy/policy';
import type { EngineLogger } from '../log/logger';
import { createMaildirWriter, mailRootOf } from '../delivery/deliver-maildir';
import { createSmtpClient } from '../delivery/deliver-smtp';
import type { QueuedMessage, QueueStore, RecipientOutcome } from '../store/queue-store';
import { createAcceptance, type EnqueueInput } from './acceptance';
import { groupCommit } from './group-commit';
import { deferFailures, settleMessage } from './outcomes';
import { createPoller } from './poller';
import { destinationLimit, routeMessage, type Route } from './routing';
import { createScheduler, type RecipientResult, type Task } from './scheduler';
import { createTransports, type Outcomes } from './transports';

export type { EnqueueInput } from './acceptance';

export type QueueManagerDeps = {
  store: QueueStore;
  policy: () => Policy | undefined;
  logger: EngineLogger;
  dataDir: string;
  nodeId: string;
  resolver: Resolver;
  /** How often due (deferred, or released) recipients are looked for in the database. */
  pollMs?: number;
  /** Deliveries in flight at once, all destinations together. */
  maxInFlight?: number;
};

const LEASE_MS = 10 * 60_000;

export const createQueueManager = (deps: QueueManagerDeps) => {
  const maildir = createMaildirWriter(mailRootOf(deps.dataDir));
  const transports = createTransports({ maildir, smtp: createSmtpClient(), resolver: deps.resolver });
  const acceptance = createAcceptance({ store: deps.store, maildir, logger: deps.logger, nodeId: deps.nodeId, leaseMs: () => LEASE_MS });

  // ── outcome recording: group commits; each removed message reported once ──
  const outcomes = groupCommit<RecipientOutcome[], string[]>(async (batches) => {
    const removed = await deps.store.recordOutcomes(batches.flat());
    return batches.map((b) => removed.filter((id) => b.some((o) => o.messageId === id)));
  });

  const finishMessage = async (m: QueuedMessage, results: RecipientResult[], started: number) => {
    const policy = deps.policy();
    const { records, bounce } = settleMessage(policy, deps.logger, m, results, started);
    if (bounce) {
      try {
        const b = await enqueue(bounce);
        deps.logger.emit({ event: 'bounce.created', queueId: m.queueId, sender: '', recipient: m.sender, text: `sender non-delivery notification: ${b.queueId}`, detail: { bounceId: b.queueId } });
      } catch (e) {
        process.stderr.write(`postern: cannot queue the bounce for ${m.queueId}: ${(e as Error).message}\n`);
        deferFailures(records, policy);
      }
    }
    try {
      for (const id of await outcomes.add(records)) deps.logger.emit({ event: 'message.removed', queueId: id });
    } catch (e) {
      // Not recorded: the lease runs out and the recipients are delivered again (at least once).
      process.stderr.write(`postern: cannot record delivery of ${m.queueId}: ${(e as Error).message}\n`);
    }
  };

  const scheduler = createScheduler({
    maxInFlight: deps.maxInFlight ?? 64,
    limitFor: (destination) => destinationLimit(deps.policy(), destination),
    onMessageDone: finishMessage,
  });

  const missingBody = (route: Route): Outcomes =>
    new Map(route.recipients.map((r) => [r.address, { kind: 'deferred', dsn: '4.3.0', text: 'message body missing from the queue', relay: 'none' }]));

  /** A route bound to its transport. */
  const toTask = (policy: Policy, m: QueuedMessage, route: Route): Task => {
    const body = m.body!;
    const run = (): Promise<Outcomes> => {
      switch (route.transport) {
        case 'local':
          return transports.local(policy, m.sender, route.recipients[0].address, body);
        case 'lmtp':
          return transports.lmtp(policy, m.sender, [route.recipients[0].address], body);
        case 'smtp':
          return transports.smtp(policy, route.hop, m.sender, route.recipients.map((r) => r.address), body);
        case 'missing-body':
          return Promise.resolve(missingBody(route));
      }
    };
    return { message: m, recipients: route.recipients, destination: route.destination, service: route.transport === 'missing-body' ? 'qmgr' : route.transport, run };
  };

  const schedule = (m: QueuedMessage) => {
    const policy = deps.policy();
    if (!policy) return;
    scheduler.add(m, routeMessage(policy, m).map((route) => toTask(policy, m, route)));
  };

  const enqueue = async (input: EnqueueInput): Promise<QueuedMessage> => {
    const policy = deps.policy();
    if (!policy) throw new Error('no policy loaded');
    const { message, delivered } = await acceptance.accept(policy, input);
    if (!delivered) schedule(message);
    return message;
  };

  const poller = createPoller({
    leaseDue: (limit) => deps.store.leaseDue(deps.nodeId, limit, LEASE_MS),
    room: scheduler.room,
    ready: () => !!deps.policy(),
    schedule,
  });

  /** Resolves when nothing is queued in memory, in flight or waiting to be recorded. */
  const idle = async () => {
    for (;;) {
      await acceptance.drained();
      await outcomes.drained();
      if (!scheduler.busy()) {
        await acceptance.drained();
        await outcomes.drained();
        if (!scheduler.busy()) return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  return {
    enqueue,
    start: async () => {
      await deps.store.releaseLeases(deps.nodeId);
      poller.start(deps.pollMs ?? 1000);
    },
    /** Look for due recipients now (after `postern queue flush`, or a policy change). */
    kick: () => void poller.poll(),
    /** One scan, then wait until everything it found is delivered and recorded (tests). */
    runOnce: async () => {
      await poller.poll();
      await idle();
    },
    stop: async () => {
      scheduler.stop();
      await poller.stop();
      // Tasks in flight finish and are recorded; waiting ones keep their lease until restart.
      const end = Date.now() + 10_000;
      while (scheduler.inFlight() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      await acceptance.drained();
      await outcomes.drained();
      transports.close();
    },
  };
};

export type QueueManager = ReturnType<typeof createQueueManager>;
