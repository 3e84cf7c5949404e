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
import path from 'node:path';
import type { Policy } from '../policy/policy';
import type { EngineLogger } from '../log/logger';
import { createMaildirWriter, mailRootOf } from '../delivery/deliver-maildir';
import { createSmtpClient } from '../delivery/deliver-smtp';
import { createOutcomeJournal } from '../store/outcome-journal';
import type { QueuedMessage, QueueStore } from '../store/queue-store';
import { createAcceptance, type EnqueueInput } from './acceptance';
import { deferFailures, settleMessage } from './outcomes';
import { createPoller } from './poller';
import { createRecorder } from './recorder';
import { destinationLimit, routeMessage, type Route } from './routing';
import { createScheduler, type RecipientResult, type Task } from './scheduler';
import { createTransports, type Outcomes } from './transports';
import { createLargeBodies, spoolDirOf } from './large-bodies';

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

const DEFAULT_LEASE_MS = 10 * 60_000;

export const createQueueManager = (deps: QueueManagerDeps) => {
  const maildir = createMaildirWriter(mailRootOf(deps.dataDir));
  const transports = createTransports({ maildir, smtp: createSmtpClient(), resolver: deps.resolver });
  const leaseMs = () => deps.policy()?.delivery.leaseMs ?? DEFAULT_LEASE_MS;
  const acceptance = createAcceptance({ store: deps.store, maildir, logger: deps.logger, nodeId: deps.nodeId, leaseMs });
  // Outcomes are recorded exactly once: held, journaled and retried when the database fails.
  const recorder = createRecorder({
    store: deps.store,
    journal: createOutcomeJournal(path.join(deps.dataDir, 'queue', `${deps.nodeId.replace(/[^A-Za-z0-9._-]/g, '_')}.journal`)),
    logger: deps.logger,
    retryMs: () => deps.policy()?.delivery.recordRetryMs ?? 5000,
  });

  const bodies = createLargeBodies(deps.store, spoolDirOf(deps.dataDir, 'deliver'));

  const finishMessage = async (m: QueuedMessage, results: RecipientResult[], started: number) => {
    await bodies.release(m.queueId);
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
    await recorder.record(records);
  };

  const scheduler = createScheduler({
    maxInFlight: deps.maxInFlight ?? 64,
    limitFor: (destination) => destinationLimit(deps.policy(), destination),
    onMessageDone: finishMessage,
  });

  const missingBody = (route: Route, why = 'message body missing from the queue'): Outcomes =>
    new Map(route.recipients.map((r) => [r.address, { kind: 'deferred', dsn: '4.3.0', text: why, relay: 'none' }]));

  /** A route bound to its transport. */
  const toTask = (policy: Policy, m: QueuedMessage, route: Route): Task => {
    const run = async (): Promise<Outcomes> => {
      if (route.transport === 'missing-body') return missingBody(route);
      let body;
      try {
        body = await bodies.body(m);
      } catch (e) {
        return missingBody(route, `cannot read the message body from the queue: ${(e as Error).message}`);
      }
      switch (route.transport) {
        case 'local':
          return transports.local(policy, m.sender, route.recipients[0].address, body);
        case 'lmtp':
          return transports.lmtp(policy, m.sender, [route.recipients[0].address], body);
        case 'smtp':
          return transports.smtp(policy, route.hop, m.sender, route.recipients.map((r) => r.address), body);
      }
    };
    return { message: m, recipients: route.recipients, destination: route.destination, service: route.transport === 'missing-body' ? 'qmgr' : route.transport, run };
  };

  const schedule = (m0: QueuedMessage) => {
    const policy = deps.policy();
    if (!policy) return;
    // A recipient whose outcome waits to be recorded was delivered (or bounced): never again.
    const m = m0.recipients.some((r) => recorder.holds(r.id)) ? { ...m0, recipients: m0.recipients.filter((r) => !recorder.holds(r.id)) } : m0;
    if (!m.recipients.length) return;
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
    leaseDue: (limit) => deps.store.leaseDue(deps.nodeId, limit, leaseMs()),
    room: scheduler.room,
    ready: () => !!deps.policy(),
    schedule,
  });

  /** Resolves when nothing is queued in memory, in flight or waiting to be recorded. */
  const idle = async () => {
    for (;;) {
      await acceptance.drained();
      await recorder.drained();
      if (!scheduler.busy()) {
        await acceptance.drained();
        await recorder.drained();
        if (!scheduler.busy()) return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  return {
    enqueue,
    start: async () => {
      // Outcomes a previous run could not record are recorded first; their recipients keep
      // their lease until then. The rest of this node's leases died with that run.
      await recorder.replay();
      await deps.store.releaseLeases(deps.nodeId, recorder.held());
      poller.start(deps.pollMs ?? 1000);
    },
    /** Outcomes waiting to be recorded (tests, the dashboard). */
    unrecorded: () => recorder.pending(),
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
      await recorder.drained();
      // A last try for held outcomes; what is still held stays in the journal for the next start.
      if (recorder.pending()) await recorder.flush();
      recorder.stop();
      transports.close();
    },
  };
};

export type QueueManager = ReturnType<typeof createQueueManager>;
