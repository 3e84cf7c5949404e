// The queue: acceptance with group commit, and delivery (Postfix's cleanup + qmgr in one).
//
// Acceptance. enqueue() adds the message to the batch being formed; one transaction per
// batch inserts every message of it (body included) and its recipients, so many sessions
// share one fsync. The promise resolves only when that commit is durable — then, and only
// then, the SMTP layer answers 250. While a commit runs, the next batch forms.
//
// A message for a single local Maildir skips all this: it is delivered before its 250
// (deliverAtAcceptance), and only its log lines tell the queue's story.
//
// Delivery. A committed message is handed to delivery from memory (its recipients are
// leased to this node in the same transaction), so the common case never reads the
// database back. Recipients are split into tasks: one per local recipient (Maildir or
// LMTP), one per next hop for the rest (all its recipients in one SMTP transaction). Tasks
// run under a global limit and a per-destination limit (default_destination_concurrency_limit).
// Outcomes are recorded in group commits too; a message whose recipients are all final is
// deleted (its story stays in the delivery log). Deferred recipients come back through the
// database poll when due, with Postfix's backoff; permanent failures and expiry produce an
// RFC 3464 bounce to the sender (never to the null sender).
import type { Resolver } from 'node:dns/promises';
import type { Policy } from '../policy/compile-policy';
import { parseTime } from '../policy/parameters';
import type { EngineLogger } from '../log/logger';
import { queuedLines } from '../log/postfix-format';
import { buildBounce, type FailedRecipient } from '../delivery/bounce';
import type { DeliveryOutcome } from '../delivery/classify-reply';
import { createMaildirWriter, mailRootOf } from '../delivery/deliver-maildir';
import { createSmtpClient, lookupTargets, parseNextHop, type SmtpTarget } from '../delivery/deliver-smtp';
import type { NewMessage, QueuedMessage, QueuedRecipient, QueueStore, RecipientOutcome } from '../store/queue-store';
import { expandRecipients } from './enqueue-message';
import { newQueueId } from './queue-id';
import { isExpired, nextAttemptAt, type RetryPolicy } from './retry-schedule';

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

export type EnqueueInput = {
  queueId?: string;
  sender: string;
  /** Envelope recipients as the client gave them; resolved and alias-expanded here. */
  recipients: string[];
  /** The message as received, in the chunks it arrived in (no copy is made for a spooled one). */
  body: Buffer | Buffer[];
  clientAddress: string;
  clientName: string;
  helo: string;
  saslUser: string;
  protocol: string;
  /** Message-ID for the cleanup log line (pflogsumm). */
  messageId?: string;
};

const LEASE_MS = 10 * 60_000;

/** What local delivery adds on top of the message, as Postfix's local(8) and virtual(8) do. */
const deliveryHeaders = (sender: string, mailbox: string) => `Return-Path: <${sender}>\r\nDelivered-To: ${mailbox}\r\n`;
const DELIVERY_HEADER_LINES = 2;

const unknownUser = (localPart: string): DeliveryOutcome => ({ kind: 'bounced', dsn: '5.1.1', text: `unknown user: "${localPart}"`, relay: 'local' });

/** The offset just past the n-th CRLF (or the whole length). */
const nthLineEnd = (b: Buffer, n: number) => {
  let at = 0;
  for (let i = 0; i < n; i++) {
    const nl = b.indexOf('\r\n', at);
    if (nl < 0) return b.length;
    at = nl + 2;
  }
  return at;
};

/** smtp_tcp_port: a number or a service name (known_tcp_ports). */
const tcpPort = (v: string) => (/^\d+$/.test(v.trim()) ? Number(v) : ({ smtp: 25, submission: 587, submissions: 465, smtps: 465, lmtp: 24 } as Record<string, number>)[v.trim()] ?? 25);

const retryPolicy = (p: Policy): RetryPolicy => ({
  minimalBackoffS: parseTime(p.params.minimal_backoff_time ?? '300s') ?? 300,
  maximalBackoffS: parseTime(p.params.maximal_backoff_time ?? '4000s') ?? 4000,
  maximalQueueLifetimeS: parseTime(p.params.maximal_queue_lifetime ?? '5d') ?? 432_000,
});

type Task = {
  message: QueuedMessage;
  recipients: QueuedRecipient[];
  /** 'local' (Maildir), 'lmtp', or the SMTP next hop. */
  destination: string;
  run: () => Promise<Map<string, DeliveryOutcome>>;
  service: string;
};

/** A group-commit batcher: items added in one tick (or while a commit runs) share a commit. */
const groupCommit = <I, O>(commit: (items: I[]) => Promise<O[]>) => {
  let batch: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let running = false;
  let idle: Promise<void> = Promise.resolve();
  let settle: (() => void) | undefined;
  const flush = async () => {
    running = true;
    while (batch.length) {
      const current = batch;
      batch = [];
      try {
        const out = await commit(current.map((b) => b.item));
        current.forEach((b, i) => b.resolve(out[i]!));
      } catch (e) {
        for (const b of current) b.reject(e);
      }
    }
    running = false;
    settle?.();
    settle = undefined;
  };
  return {
    add: (item: I) =>
      new Promise<O>((resolve, reject) => {
        batch.push({ item, resolve, reject });
        if (!running && batch.length === 1) {
          idle = new Promise<void>((r) => (settle = r));
          setImmediate(() => void flush());
        }
      }),
    drained: () => (running || batch.length ? idle : Promise.resolve()),
  };
};

export const createQueueManager = (deps: QueueManagerDeps) => {
  const maildir = createMaildirWriter(mailRootOf(deps.dataDir));
  const smtp = createSmtpClient();
  const maxInFlight = deps.maxInFlight ?? 64;
  let stopped = false;
  let pollTimer: NodeJS.Timeout | undefined;

  // ── acceptance ──
  const inserts = groupCommit<NewMessage, QueuedMessage>((batch) => deps.store.insertMessages(batch, deps.nodeId, LEASE_MS));

  /** The one local mailbox a message goes to, when that is all it goes to (Maildir transport). */
  const singleMailbox = (policy: Policy, recipients: { address: string }[]) => {
    if (policy.localTransport.kind !== 'maildir' || recipients.length !== 1) return undefined;
    const resolved = policy.resolve(recipients[0]!.address);
    const box = resolved.addressClass === 'local' ? policy.mailbox(resolved.address) : undefined;
    return box ? { address: resolved.address, quotaBytes: box.quotaBytes } : undefined;
  };

  /**
   * A message for one local Maildir is delivered before its 250, durably (file and directory
   * fsync'd by the store): its delivery is a file write and a rename, so a queue copy would
   * only be written to be removed again. Over its quota it goes to the queue instead (which
   * bounces it). Logged as Postfix logs a delivery, once the acceptance is logged.
   */
  const deliverAtAcceptance = async (m: NewMessage, mailbox: { address: string; quotaBytes: number }, body: Buffer[]): Promise<QueuedMessage | undefined> => {
    const file = await maildir.prepare(mailbox.address, deliveryHeaders(m.sender, mailbox.address), body, mailbox.quotaBytes);
    if (file === 'over quota') return undefined;
    await deps.store.deliverFile(file);
    const r = m.recipients[0]!;
    // After the caller's own log lines for the acceptance (they follow in this turn).
    setImmediate(() => {
      const now = Date.now();
      const delay = ((now - m.receivedAt.getTime()) / 1000).toFixed(2);
      const detail = { service: 'local', relay: 'local', delay, delays: `${delay}/0/0/0`, ...(r.original !== r.address ? { orig_to: r.original } : {}) };
      deps.logger.emit({ event: 'delivery.sent', status: 'sent', queueId: m.queueId, sender: m.sender, recipient: r.address, enhanced: '2.0.0', text: 'delivered to maildir', detail });
      deps.logger.emit({ event: 'message.removed', queueId: m.queueId });
    });
    // m.size: the message as received (file.data, moved to the writer thread, is empty now).
    return { queueId: m.queueId, sender: m.sender, size: m.size, receivedAt: m.receivedAt, body: null, bodyPath: '', recipients: [{ id: 0, address: r.address, original: r.original, attempts: 1 }] };
  };

  const enqueue = async (input: EnqueueInput): Promise<QueuedMessage> => {
    const policy = deps.policy();
    if (!policy) throw new Error('no policy loaded');
    const recipients = expandRecipients(policy, input.recipients);
    const chunks = Array.isArray(input.body) ? input.body : [input.body];
    const mailbox = singleMailbox(policy, recipients);
    const m: NewMessage = {
      queueId: input.queueId ?? newQueueId(),
      sender: input.sender,
      recipients,
      body: null,
      bodyPath: '',
      size: chunks.reduce((n, c) => n + c.length, 0),
      clientAddress: input.clientAddress,
      clientName: input.clientName,
      helo: input.helo,
      saslUser: input.saslUser,
      protocol: input.protocol,
      receivedAt: new Date(),
    };
    const delivered = mailbox ? await deliverAtAcceptance(m, mailbox, chunks) : undefined;
    const queued = delivered ?? (await inserts.add({ ...m, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) }));
    for (const [service, line] of queuedLines({ queueId: m.queueId, sender: m.sender, size: queued.size, nrcpt: queued.recipients.length, messageId: input.messageId ?? `${m.queueId}@${policy.myhostname}` })) {
      deps.logger.raw(service, line);
    }
    if (!delivered) schedule(queued);
    return queued;
  };

  // ── outcomes ──
  const outcomes = groupCommit<RecipientOutcome[], string[]>(async (batches) => {
    const removed = await deps.store.recordOutcomes(batches.flat());
    // Report each removed id once, to the first caller whose message it was.
    return batches.map((b) => removed.filter((id) => b.some((o) => o.messageId === id)));
  });

  // ── scheduling ──
  const waiting: Task[] = [];
  const active = new Map<string, number>();
  let inFlight = 0;
  /**
   * Destinations: "local:<domain>" (the Maildir transport, limited per domain like Postfix's
   * virtual(8): virtual_destination_concurrency_limit), "lmtp" (lmtp_destination_concurrency_limit),
   * or an SMTP next hop (default_destination_concurrency_limit).
   */
  const limitFor = (policy: Policy | undefined, destination: string) => {
    const param = destination.startsWith('local:') ? 'virtual_destination_concurrency_limit' : destination === 'lmtp' ? 'lmtp_destination_concurrency_limit' : 'default_destination_concurrency_limit';
    return Math.max(1, Number(policy?.params[param] ?? 20));
  };

  const pump = () => {
    if (stopped) return;
    const policy = deps.policy();
    for (let i = 0; i < waiting.length && inFlight < maxInFlight; ) {
      const t = waiting[i]!;
      if ((active.get(t.destination) ?? 0) >= limitFor(policy, t.destination)) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      inFlight++;
      active.set(t.destination, (active.get(t.destination) ?? 0) + 1);
      void runTask(t).finally(() => {
        inFlight--;
        const n = (active.get(t.destination) ?? 1) - 1;
        if (n) active.set(t.destination, n);
        else active.delete(t.destination);
        pump();
      });
    }
  };

  /** Per message: tasks outstanding and the outcomes gathered so far. */
  const progress = new Map<string, { left: number; results: { r: QueuedRecipient; o: DeliveryOutcome; service: string }[]; started: number }>();

  const schedule = (m: QueuedMessage) => {
    const policy = deps.policy();
    if (!policy) return;
    const tasks = planTasks(policy, m);
    progress.set(m.queueId, { left: tasks.length, results: [], started: Date.now() });
    waiting.push(...tasks);
    pump();
  };

  const planTasks = (policy: Policy, m: QueuedMessage): Task[] => {
    if (m.bodyPath) {
      const r = m.recipients[0]!;
      return [{ message: m, recipients: [r], destination: `local:${policy.resolve(r.address).domain}`, service: 'local', run: () => deliverSpooled(policy, m, r.address) }];
    }
    const body = m.body;
    if (!body) {
      const fail = new Map(m.recipients.map((r) => [r.address, { kind: 'deferred', dsn: '4.3.0', text: 'message body missing from the queue', relay: 'none' } as DeliveryOutcome]));
      return [{ message: m, recipients: m.recipients, destination: 'qmgr', service: 'qmgr', run: async () => fail }];
    }
    const tasks: Task[] = [];
    const remote = new Map<string, QueuedRecipient[]>();
    const lmtp = policy.localTransport.kind === 'lmtp';
    for (const r of m.recipients) {
      const resolved = policy.resolve(r.address);
      if (resolved.addressClass === 'local') {
        if (lmtp) {
          tasks.push({ message: m, recipients: [r], destination: 'lmtp', service: 'lmtp', run: () => deliverLmtp(policy, m.sender, [r.address], body) });
        } else {
          tasks.push({ message: m, recipients: [r], destination: `local:${resolved.domain}`, service: 'local', run: () => deliverLocal(policy, m.sender, r.address, body) });
        }
        continue;
      }
      const hop = policy.params.relayhost || resolved.domain;
      remote.set(hop, [...(remote.get(hop) ?? []), r]);
    }
    for (const [hop, rcpts] of remote) {
      tasks.push({ message: m, recipients: rcpts, destination: hop, service: 'smtp', run: () => deliverRemote(policy, hop, m.sender, rcpts.map((r) => r.address), body) });
    }
    return tasks;
  };

  const deliverLocal = async (policy: Policy, sender: string, address: string, body: Buffer): Promise<Map<string, DeliveryOutcome>> => {
    const resolved = policy.resolve(address);
    const box = policy.mailbox(resolved.address);
    if (!box) return new Map([[address, unknownUser(resolved.localPart)]]);
    return new Map([[address, await maildir.deliver(resolved.address, deliveryHeaders(sender, resolved.address), body, box.quotaBytes)]]);
  };

  /** Spool files that delivery renamed into a mailbox (until their outcome is recorded). */
  const movedIntoMailbox = new Set<string>();

  /**
   * A spooled single-mailbox message: renamed into the mailbox. Should the policy have
   * changed since it was accepted (the domain is no longer local, or local mail goes by
   * LMTP now), a copy is delivered the usual way from the spool file instead.
   */
  const deliverSpooled = async (policy: Policy, m: QueuedMessage, address: string): Promise<Map<string, DeliveryOutcome>> => {
    const resolved = policy.resolve(address);
    if (resolved.addressClass === 'local' && policy.localTransport.kind === 'maildir') {
      const box = policy.mailbox(resolved.address);
      if (!box) return new Map([[address, unknownUser(resolved.localPart)]]);
      const outcome = await maildir.deliverSpooled(m.bodyPath, resolved.address, box.quotaBytes);
      if (outcome.kind === 'sent') movedIntoMailbox.add(m.bodyPath);
      return new Map([[address, outcome]]);
    }
    const file = await maildir.readSpooled(m.bodyPath);
    // Drop the delivery headers the spool copy was written with.
    const body = file.subarray(nthLineEnd(file, DELIVERY_HEADER_LINES));
    if (resolved.addressClass === 'local') return deliverLmtp(policy, m.sender, [address], body);
    return deliverRemote(policy, policy.params.relayhost || resolved.domain, m.sender, [address], body);
  };

  const deliverLmtp = (policy: Policy, sender: string, to: string[], body: Buffer) => {
    const t = policy.localTransport;
    const dest = t.kind === 'lmtp' ? ('socketPath' in t ? { socketPath: t.socketPath } : { host: t.host, port: t.port }) : { host: '127.0.0.1', port: 24 };
    return smtp.send({ targets: [dest], from: sender, to, message: body, heloName: policy.myhostname, tls: 'none', lmtp: true });
  };

  const deliverRemote = async (policy: Policy, hop: string, sender: string, to: string[], body: Buffer): Promise<Map<string, DeliveryOutcome>> => {
    let targets: SmtpTarget[];
    const port = tcpPort(policy.params.smtp_tcp_port ?? 'smtp');
    try {
      if (policy.params.relayhost) {
        const h = parseNextHop(policy.params.relayhost, port);
        targets = h.mxLookup ? await lookupTargets(deps.resolver, h.host, h.port) : [{ host: h.host, port: h.port }];
      } else {
        targets = await lookupTargets(deps.resolver, hop, port);
      }
    } catch (e) {
      const code = (e as { code?: string }).code;
      const outcome: DeliveryOutcome =
        code === 'NULLMX'
          ? { kind: 'bounced', dsn: '5.1.10', text: (e as Error).message, relay: 'none' }
          : { kind: 'deferred', dsn: '4.4.3', text: `Host or domain name not found. Name service error for name=${hop}: ${(e as Error).message}`, relay: 'none' };
      return new Map(to.map((r) => [r, outcome]));
    }
    const tls = (policy.params.smtp_tls_security_level ?? 'may') as 'none' | 'may' | 'encrypt';
    return smtp.send({ targets, from: sender, to, message: body, heloName: policy.myhostname, tls, resolver: deps.resolver, maxConnections: limitFor(policy, hop) });
  };

  const runTask = async (t: Task) => {
    let results: Map<string, DeliveryOutcome>;
    try {
      results = await t.run();
    } catch (e) {
      const outcome: DeliveryOutcome = { kind: 'deferred', dsn: '4.3.0', text: `delivery failed: ${(e as Error).message}`, relay: 'none' };
      results = new Map(t.recipients.map((r) => [r.address, outcome]));
    }
    const p = progress.get(t.message.queueId);
    if (!p) return;
    for (const r of t.recipients) {
      p.results.push({ r, o: results.get(r.address) ?? { kind: 'deferred', dsn: '4.3.0', text: 'no delivery status', relay: 'none' }, service: t.service });
    }
    if (--p.left > 0) return;
    progress.delete(t.message.queueId);
    await finishMessage(t.message, p.results, p.started);
  };

  /** Logs each recipient's outcome, records them, bounces failures, reports removal. */
  const finishMessage = async (m: QueuedMessage, results: { r: QueuedRecipient; o: DeliveryOutcome; service: string }[], started: number) => {
    const policy = deps.policy();
    const retry = policy ? retryPolicy(policy) : { minimalBackoffS: 300, maximalBackoffS: 4000, maximalQueueLifetimeS: 432_000 };
    const now = new Date();
    const records: RecipientOutcome[] = [];
    const failed: FailedRecipient[] = [];
    for (const { r, o: outcome0, service } of results) {
      let o = outcome0;
      if (o.kind === 'deferred' && isExpired(m.receivedAt, now, retry)) {
        o = { ...o, kind: 'bounced', text: `message expired after ${retry.maximalQueueLifetimeS}s in the queue: ${o.text}` };
      }
      const expired = o.kind === 'bounced' && o.text.startsWith('message expired');
      const detail = {
        service,
        relay: o.relay,
        delay: ((now.getTime() - m.receivedAt.getTime()) / 1000).toFixed(2),
        delays: `${((started - m.receivedAt.getTime()) / 1000).toFixed(2)}/0/0/${((now.getTime() - started) / 1000).toFixed(2)}`,
        ...(r.original !== r.address ? { orig_to: r.original } : {}),
      };
      const base = { queueId: m.queueId, sender: m.sender, recipient: r.address, enhanced: o.dsn, text: o.text, detail };
      if (o.kind === 'sent') {
        records.push({ id: r.id, messageId: m.queueId, state: 'DELIVERED', error: '' });
        deps.logger.emit({ event: 'delivery.sent', status: 'sent', ...base });
      } else if (o.kind === 'deferred') {
        records.push({ id: r.id, messageId: m.queueId, state: 'DEFERRED', error: o.text, nextAttemptAt: nextAttemptAt(r.attempts + 1, now, retry) });
        deps.logger.emit({ event: 'delivery.deferred', status: 'deferred', ...base });
      } else {
        records.push({ id: r.id, messageId: m.queueId, state: expired ? 'EXPIRED' : 'BOUNCED', error: o.text });
        deps.logger.emit({ event: expired ? 'delivery.expired' : 'delivery.bounced', status: expired ? 'expired' : 'bounced', ...base });
        failed.push({ address: r.address, original: r.original, dsn: o.dsn, text: o.text, action: 'failed' });
      }
    }
    const original = m.body ?? (m.bodyPath && failed.length ? await maildir.readSpooled(m.bodyPath).catch(() => null) : null);
    if (failed.length && m.sender !== '' && policy && original) {
      const headerEnd = original.indexOf('\r\n\r\n');
      const bounce = buildBounce({
        myhostname: policy.myhostname,
        queueId: m.queueId,
        sender: m.sender,
        arrivalDate: m.receivedAt,
        failed,
        originalHeaders: original.subarray(0, headerEnd < 0 ? original.length : headerEnd).toString('utf8'),
      });
      try {
        const b = await enqueue({ sender: '', recipients: [m.sender], body: bounce, clientAddress: '127.0.0.1', clientName: 'localhost', helo: policy.myhostname, saslUser: '', protocol: 'local' });
        deps.logger.emit({ event: 'bounce.created', queueId: m.queueId, sender: '', recipient: m.sender, text: `sender non-delivery notification: ${b.queueId}`, detail: { bounceId: b.queueId } });
      } catch (e) {
        // The failures stay recorded as deferred so that the bounce is attempted again.
        process.stderr.write(`postern: cannot queue the bounce for ${m.queueId}: ${(e as Error).message}\n`);
        for (const rec of records) if (rec.state !== 'DELIVERED' && rec.state !== 'DEFERRED') Object.assign(rec, { state: 'DEFERRED', nextAttemptAt: nextAttemptAt(1, now, retry) });
      }
    }
    // A spooled body that was not renamed into a mailbox (bounced, or sent elsewhere) goes once
    // final; one that was renamed is gone already (no unlink that can only fail).
    if (m.bodyPath && !movedIntoMailbox.delete(m.bodyPath) && records.every((r) => r.state !== 'DEFERRED')) await maildir.removeSpooled(m.bodyPath);
    try {
      for (const id of await outcomes.add(records)) deps.logger.emit({ event: 'message.removed', queueId: id });
    } catch (e) {
      // Not recorded: the lease runs out and the recipients are delivered again (at least once).
      process.stderr.write(`postern: cannot record delivery of ${m.queueId}: ${(e as Error).message}\n`);
    }
  };

  // ── the database poll: deferred recipients whose time has come, released leases ──
  let polling: Promise<void> | undefined;
  let pollAgain = false;
  const poll = (): Promise<void> => {
    if (polling) {
      pollAgain = true;
      return polling;
    }
    polling = (async () => {
      if (stopped || !deps.policy()) return;
      const room = Math.max(0, maxInFlight * 2 - waiting.length);
      if (!room) return;
      const due = await deps.store.leaseDue(deps.nodeId, Math.min(room, 200), LEASE_MS);
      for (const m of due) schedule(m);
      if (due.length && due.reduce((n, m) => n + m.recipients.length, 0) >= Math.min(room, 200)) pollAgain = true;
    })()
      .catch((e) => {
        process.stderr.write(`postern: queue scan failed: ${(e as Error).message}\n`);
      })
      .finally(() => {
        polling = undefined;
        if (pollAgain && !stopped) {
          pollAgain = false;
          setTimeout(() => void poll(), 10).unref();
        }
      });
    return polling;
  };

  /** Resolves when nothing is queued in memory, in flight or waiting to be recorded. */
  const idle = async () => {
    for (;;) {
      await inserts.drained();
      await outcomes.drained();
      if (!waiting.length && !inFlight && !progress.size) {
        await inserts.drained();
        await outcomes.drained();
        if (!waiting.length && !inFlight && !progress.size) return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  return {
    enqueue,
    start: async () => {
      await deps.store.releaseLeases(deps.nodeId);
      pollTimer = setInterval(() => void poll(), deps.pollMs ?? 1000);
      pollTimer.unref();
      void poll();
    },
    /** Look for due recipients now (after `postern queue flush`, or a policy change). */
    kick: () => void poll(),
    /** One scan, then wait until everything it found is delivered and recorded (tests). */
    runOnce: async () => {
      await poll();
      await idle();
    },
    stop: async () => {
      stopped = true;
      if (pollTimer) clearInterval(pollTimer);
      await polling;
      // Tasks in flight finish and are recorded; waiting ones keep their lease until restart.
      const end = Date.now() + 10_000;
      while (inFlight && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      await inserts.drained();
      await outcomes.drained();
      smtp.close();
    },
  };
};

export type QueueManager = ReturnType<typeof createQueueManager>;
