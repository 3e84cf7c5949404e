// The engine's hot-path rows: queued messages (with their bodies), per-recipient state and
// leases (so two engine nodes sharing a database never deliver the same recipient at once),
// and the DeliveryEvent log. The SQL lives here once, as units of work (see sql-driver.ts);
// two runners execute them:
//   - createDirectStore: on the calling thread through a SqlDriver (PostgreSQL; SQLite in
//     tools and tests);
//   - createWorkerStore (sqlite-writer.ts): the engine on SQLite, where a worker thread owns
//     the writing connection, so commits and their fsyncs never stall the SMTP sessions, and
//     requests that arrive while one commit runs share the next (group commit).
// The console's queue page and `postern queue` read and change the same rows through Prisma
// (server/services/queue).
import { all, run, toDate, type SqlDriver, type SqlValue, type Work } from './sql-driver';
import type { DbProvider } from '../../prisma/client';
import { deliverFile, type DeliveryFile } from './delivery-file';
import { fileOf, memoryPart, partsOf, readBodySync, type MessageBody } from './message-body';

export type NewMessage = {
  queueId: string;
  sender: string;
  recipients: { address: string; original: string }[];
  /** In memory, or (past postern_body_memory_limit) its start in memory and the rest in a spool file. */
  body: MessageBody;
  size: number;
  clientAddress: string;
  clientName: string;
  helo: string;
  saslUser: string;
  protocol: string;
  receivedAt: Date;
};

export type QueuedRecipient = { id: number; address: string; original: string; attempts: number };

export type QueuedMessage = {
  queueId: string;
  sender: string;
  size: number;
  receivedAt: Date;
  /** null only for a row whose body is missing (it is deferred with that reason). */
  body: Buffer | null;
  /** MessagePart rows that follow body (a large message): read with readPart, one at a time. */
  parts: number;
  recipients: QueuedRecipient[];
};

export type RecipientOutcome =
  | { id: number; messageId: string; state: 'DELIVERED' | 'BOUNCED' | 'EXPIRED'; error: string }
  | { id: number; messageId: string; state: 'DEFERRED'; error: string; nextAttemptAt: Date };

/** A DeliveryEvent row as the engine writes it. */
export type EventRow = {
  at: Date;
  event: string;
  status: string;
  queueId: string;
  lookupId: string;
  nodeId: string;
  clientAddress: string;
  clientName: string;
  helo: string;
  saslUser: string;
  sender: string;
  recipient: string;
  code: number;
  enhanced: string;
  text: string;
  trace: string;
};

const INSERT_MESSAGE =
  'INSERT INTO "Message" ("id", "sender", "size", "body", "bodyParts", "nodeId", "clientAddress", "clientName", "helo", "saslUser", "protocol", "state", "receivedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, \'ACTIVE\', ?)';
const INSERT_PART = 'INSERT INTO "MessagePart" ("messageId", "seq", "data") VALUES (?, ?, ?)';
const INSERT_RECIPIENT =
  'INSERT INTO "Recipient" ("messageId", "address", "originalAddress", "state", "attempts", "nextAttemptAt", "lastError", "leaseOwner", "leaseUntil") VALUES (?, ?, ?, \'QUEUED\', 0, ?, \'\', ?, ?)';
const PENDING = `('QUEUED', 'DEFERRED')`;
const EVENT_COLUMNS = ['at', 'event', 'status', 'queueId', 'lookupId', 'nodeId', 'clientAddress', 'clientName', 'helo', 'saslUser', 'sender', 'recipient', 'code', 'enhanced', 'text', 'trace'] as const;
const INSERT_EVENTS = `INSERT INTO "DeliveryEvent" (${EVENT_COLUMNS.map((c) => `"${c}"`).join(', ')}) VALUES `;
const EVENT_ROW = `(${EVENT_COLUMNS.map(() => '?').join(', ')})`;

/** Which journal key a batch of events brings the node's row to (event-journal.ts). */
export type EventMark = { nodeId: string; key: string };

/** This engine node's row (EngineNode): written by the heartbeat. */
export type NodeRow = { id: string; hostname: string; pid: number; version: string; heartbeatAt: Date; appliedRevision: number; listeners: string; tls: string };

/** Units of work, each one transaction. Pure SQL logic: no I/O of their own. */
export const queueWork = {
  /** Inserts messages with their recipients, already leased to `owner`; returns the recipient ids per message. */
  *insertMessages(dialect: DbProvider, batch: NewMessage[], owner: string, leaseMs: number): Work<QueuedRecipient[][]> {
    // SQLite reports the new id itself (better-sqlite3 refuses RETURNING in run()).
    const insertRecipient = dialect === 'postgresql' ? `${INSERT_RECIPIENT} RETURNING "id"` : INSERT_RECIPIENT;
    const until = new Date(Date.now() + leaseMs);
    const out: QueuedRecipient[][] = [];
    for (const m of batch) {
      const file = fileOf(m.body);
      yield* run(INSERT_MESSAGE, [m.queueId, m.sender, m.size, memoryPart(m.body), partsOf(m.body), owner, m.clientAddress, m.clientName, m.helo, m.saslUser, m.protocol, m.receivedAt]);
      // A large message's spool file, a piece at a time (read synchronously: this runs in the
      // SQLite writer thread, or between awaited PostgreSQL statements).
      if (file) {
        let seq = 0;
        for (const piece of readBodySync([file])) yield* run(INSERT_PART, [m.queueId, seq++, piece]);
      }
      const recipients: QueuedRecipient[] = [];
      for (const r of m.recipients) {
        const res = yield* run(insertRecipient, [m.queueId, r.address, r.original, m.receivedAt, owner, until]);
        recipients.push({ id: Number(res.lastId), address: r.address, original: r.original, attempts: 0 });
      }
      out.push(recipients);
    }
    return out;
  },

  /**
   * Leases up to `limit` due recipients of active messages, grouped by message with the body
   * loaded. On PostgreSQL the candidate rows are locked with SKIP LOCKED, so nodes polling at
   * the same moment take disjoint sets.
   */
  *leaseDue(dialect: DbProvider, owner: string, limit: number, leaseMs: number, now: Date): Work<QueuedMessage[]> {
    const until = new Date(now.getTime() + leaseMs);
    const lock = dialect === 'postgresql' ? ' FOR UPDATE OF r SKIP LOCKED' : '';
    const due = yield* all<{ id: number }>(
      `SELECT r."id" FROM "Recipient" r JOIN "Message" m ON m."id" = r."messageId"
       WHERE r."state" IN ${PENDING} AND r."nextAttemptAt" <= ? AND (r."leaseUntil" IS NULL OR r."leaseUntil" < ?) AND m."state" = 'ACTIVE'
       ORDER BY r."nextAttemptAt" LIMIT ?${lock}`,
      [now, now, limit],
    );
    if (!due.length) return [];
    const ids = due.map((d) => Number(d.id));
    const marks = ids.map(() => '?').join(', ');
    yield* run(`UPDATE "Recipient" SET "leaseOwner" = ?, "leaseUntil" = ? WHERE "id" IN (${marks})`, [owner, until, ...ids]);
    const rows = yield* all<{ id: number; address: string; originalAddress: string; attempts: number; messageId: string }>(
      `SELECT "id", "address", "originalAddress", "attempts", "messageId" FROM "Recipient" WHERE "id" IN (${marks}) ORDER BY "messageId", "id"`,
      ids,
    );
    // Each message once, however many of its recipients are due (a body can be megabytes).
    const messageIds = [...new Set(rows.map((r) => r.messageId))];
    const messages = yield* all<{ id: string; sender: string; size: number; receivedAt: unknown; body: Uint8Array | null; bodyParts: number }>(
      `SELECT "id", "sender", "size", "receivedAt", "body", "bodyParts" FROM "Message" WHERE "id" IN (${messageIds.map(() => '?').join(', ')})`,
      messageIds,
    );
    const found = new Map(messages.map((m) => [m.id, m]));
    const byMessage = new Map<string, QueuedMessage>();
    for (const r of rows) {
      let q = byMessage.get(r.messageId);
      if (!q) {
        const m = found.get(r.messageId)!;
        q = { queueId: m.id, sender: m.sender, size: Number(m.size), receivedAt: toDate(m.receivedAt), body: m.body ? Buffer.from(m.body) : null, parts: Number(m.bodyParts), recipients: [] };
        byMessage.set(r.messageId, q);
      }
      q.recipients.push({ id: Number(r.id), address: r.address, original: r.originalAddress, attempts: Number(r.attempts) });
    }
    return [...byMessage.values()];
  },

  /**
   * Records outcomes and deletes each message whose recipients are all final; returns the
   * removed queue ids. The common case — every recipient of the message final in this very
   * batch — is one DELETE (recipients go with it by cascade), without updating rows first.
   */
  *recordOutcomes(outcomes: RecipientOutcome[]): Work<string[]> {
    const now = new Date();
    const byMessage = new Map<string, RecipientOutcome[]>();
    for (const o of outcomes) byMessage.set(o.messageId, [...(byMessage.get(o.messageId) ?? []), o]);
    const removed: string[] = [];
    for (const [id, list] of byMessage) {
      if (list.every((o) => o.state !== 'DEFERRED')) {
        const ids = list.map((o) => o.id);
        const r = yield* run(
          `DELETE FROM "Message" WHERE "id" = ? AND NOT EXISTS (SELECT 1 FROM "Recipient" WHERE "messageId" = ? AND "state" IN ${PENDING} AND "id" NOT IN (${ids.map(() => '?').join(', ')}))`,
          [id, id, ...ids],
        );
        if (r.changes > 0) {
          removed.push(id);
          continue;
        }
      }
      for (const o of list) {
        if (o.state === 'DEFERRED') {
          yield* run(
            'UPDATE "Recipient" SET "state" = \'DEFERRED\', "attempts" = "attempts" + 1, "nextAttemptAt" = ?, "lastError" = ?, "leaseOwner" = NULL, "leaseUntil" = NULL WHERE "id" = ?',
            [o.nextAttemptAt, o.error.slice(0, 2000), o.id],
          );
        } else {
          yield* run(
            'UPDATE "Recipient" SET "state" = ?, "attempts" = "attempts" + 1, "finishedAt" = ?, "lastError" = ?, "leaseOwner" = NULL, "leaseUntil" = NULL WHERE "id" = ?',
            [o.state, now, o.error.slice(0, 2000), o.id],
          );
        }
      }
      // Nothing more to delete here: a deferred recipient keeps its message, and all-final
      // outcomes that did not delete it above leave other recipients pending.
    }
    return removed;
  },

  /**
   * After a crash or restart: the leases this node held died with it — but for `keep`, the
   * recipients whose outcome is journaled and not yet recorded (they must not be delivered again).
   */
  *releaseLeases(owner: string, keep: number[] = []): Work<number> {
    const except = keep.length ? ` AND "id" NOT IN (${keep.map(() => '?').join(', ')})` : '';
    return (yield* run(`UPDATE "Recipient" SET "leaseOwner" = NULL, "leaseUntil" = NULL WHERE "leaseOwner" = ?${except}`, [owner, ...keep])).changes;
  },

  /** Part `seq` of a large message's body (null when the message or the part is gone). */
  *readPart(queueId: string, seq: number): Work<Uint8Array | null> {
    const rows = yield* all<{ data: Uint8Array }>('SELECT "data" FROM "MessagePart" WHERE "messageId" = ? AND "seq" = ?', [queueId, seq]);
    return rows[0]?.data ?? null;
  },

  /** The journal key of the node's last event in the table ('' when none). */
  *eventsThrough(nodeId: string): Work<string> {
    const rows = yield* all<{ eventsThrough: string }>('SELECT "eventsThrough" FROM "EngineNode" WHERE "id" = ?', [nodeId]);
    return rows[0]?.eventsThrough ?? '';
  },

  /** The node's heartbeat row (one statement, the same on SQLite and PostgreSQL). */
  *upsertNode(n: NodeRow): Work<number> {
    return (yield* run(
      `INSERT INTO "EngineNode" ("id", "hostname", "pid", "version", "startedAt", "heartbeatAt", "appliedRevision", "listeners", "tls") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("id") DO UPDATE SET "hostname" = excluded."hostname", "pid" = excluded."pid", "version" = excluded."version", "heartbeatAt" = excluded."heartbeatAt",
       "appliedRevision" = excluded."appliedRevision", "listeners" = excluded."listeners", "tls" = excluded."tls"`,
      [n.id, n.hostname, n.pid, n.version, n.heartbeatAt, n.heartbeatAt, n.appliedRevision, n.listeners, n.tls],
    )).changes;
  },

  /**
   * DeliveryEvent rows, in multi-row INSERTs of fixed sizes so the prepared statements are
   * reused; with `mark`, the node's journal key of the last of them, in the same transaction.
   */
  *insertEvents(rows: EventRow[], mark?: EventMark): Work<number> {
    if (mark) {
      yield* run(
        `INSERT INTO "EngineNode" ("id", "hostname", "pid", "version", "startedAt", "heartbeatAt", "eventsThrough") VALUES (?, '', 0, '', ?, ?, ?)
         ON CONFLICT ("id") DO UPDATE SET "eventsThrough" = excluded."eventsThrough"`,
        [mark.nodeId, new Date(0), new Date(0), mark.key],
      );
    }
    for (let i = 0; i < rows.length; ) {
      const n = rows.length - i >= 50 ? 50 : rows.length - i >= 10 ? 10 : 1;
      const values: SqlValue[] = [];
      for (const r of rows.slice(i, i + n)) for (const c of EVENT_COLUMNS) values.push(r[c]);
      yield* run(INSERT_EVENTS + Array(n).fill(EVENT_ROW).join(', '), values);
      i += n;
    }
    return rows.length;
  },
};

/** Which units need their commit on disk before they resolve. */
export const DURABLE: Record<keyof typeof queueWork, boolean> = {
  insertMessages: true,
  leaseDue: false,
  readPart: false,
  recordOutcomes: false,
  releaseLeases: false,
  insertEvents: false,
  eventsThrough: false,
  upsertNode: false,
};

export type QueueStore = {
  /** One transaction for the batch; resolves when it is durable. */
  insertMessages(batch: NewMessage[], owner: string, leaseMs: number): Promise<QueuedMessage[]>;
  leaseDue(owner: string, limit: number, leaseMs: number): Promise<QueuedMessage[]>;
  readPart(queueId: string, seq: number): Promise<Buffer | null>;
  recordOutcomes(outcomes: RecipientOutcome[]): Promise<string[]>;
  releaseLeases(owner: string, keep?: number[]): Promise<number>;
  insertEvents(rows: EventRow[], mark?: EventMark): Promise<number>;
  eventsThrough(nodeId: string): Promise<string>;
  upsertNode(row: NodeRow): Promise<number>;
  /**
   * Delivers a message into a Maildir durably before it resolves (see delivery-file.ts): the
   * engine's one durable write that is a file rather than rows, done by the same writer.
   */
  deliverFile(file: DeliveryFile): Promise<void>;
  close(): Promise<void>;
};

/** Rebuilds the queued messages from the batch and the recipient ids the insert returned. */
export const withIds = (batch: NewMessage[], ids: QueuedRecipient[][]): QueuedMessage[] =>
  batch.map((m, i) => ({ queueId: m.queueId, sender: m.sender, size: m.size, receivedAt: m.receivedAt, body: memoryPart(m.body), parts: partsOf(m.body), recipients: ids[i]! }));

/** Runs the units on the calling thread. */
export const createDirectStore = (sql: SqlDriver): QueueStore => ({
  insertMessages: async (batch, owner, leaseMs) =>
    withIds(batch, await sql.transaction(() => queueWork.insertMessages(sql.dialect, batch, owner, leaseMs), { durable: DURABLE.insertMessages })),
  deliverFile,
  leaseDue: (owner, limit, leaseMs) => sql.transaction(() => queueWork.leaseDue(sql.dialect, owner, limit, leaseMs, new Date()), { durable: DURABLE.leaseDue }),
  readPart: async (queueId, seq) => {
    const data = await sql.transaction(() => queueWork.readPart(queueId, seq), { durable: DURABLE.readPart });
    return data ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : null;
  },
  recordOutcomes: (outcomes) => sql.transaction(() => queueWork.recordOutcomes(outcomes), { durable: DURABLE.recordOutcomes }),
  releaseLeases: (owner, keep) => sql.transaction(() => queueWork.releaseLeases(owner, keep), { durable: DURABLE.releaseLeases }),
  insertEvents: (rows, mark) => sql.transaction(() => queueWork.insertEvents(rows, mark), { durable: DURABLE.insertEvents }),
  eventsThrough: (nodeId) => sql.transaction(() => queueWork.eventsThrough(nodeId), { durable: DURABLE.eventsThrough }),
  upsertNode: (row) => sql.transaction(() => queueWork.upsertNode(row), { durable: DURABLE.upsertNode }),
  close: () => sql.close(),
});
