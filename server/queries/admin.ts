import 'server-only';
import { loadPolicyRows } from '../../prisma/policy-rows';
import { compilePolicy } from '../../mail-engine/policy/compile-policy';
import { renderMainCf } from '../../mail-engine/policy/main-cf-io';
import { PARAMETERS } from '../../mail-engine/policy/parameters';
import { getDb } from '../db';
import { diffMainCf } from '../services/policy/diff-lines';
import type { Actor } from '../services/actor';
import { listQueue } from '../services/queue/manage-queue';
import { checkDomainDns } from '../services/domains/check-domain-dns';
import { listKeys } from '../services/dkim/dkim-keys';

export const getDomainsPage = async () => (await getDb()).domain.findMany({ orderBy: { name: 'asc' } });

/** A domain with the DNS records it needs and a live check of what DNS says. */
export const getDomainDetail = async (actor: Actor, name: string) => {
  const db = await getDb();
  const domain = await db.domain.findUnique({ where: { name: name.trim().toLowerCase() } });
  if (!domain) return undefined;
  return { domain, dns: await checkDomainDns(db, actor, domain.name), dkim: await listKeys(db, actor, domain.name) };
};

export const getNetworksPage = async () => {
  const db = await getDb();
  const rows = await loadPolicyRows(db);
  const compiled = compilePolicy(rows);
  return {
    networks: await db.trustedNetwork.findMany({ orderBy: [{ position: 'asc' }, { id: 'asc' }] }),
    style: compiled.ok ? compiled.policy.params.mynetworks_style : '',
    source: compiled.ok ? compiled.policy.mynetworksSource : '',
    effective: compiled.ok ? compiled.policy.mynetworks.entries.map((e) => e.pattern) : [],
  };
};

export const getUsersPage = async (q: string, page: number) => {
  const db = await getDb();
  const pageSize = 50;
  const where = q ? { address: { startsWith: q.toLowerCase() } } : {};
  const [total, users, aliases] = await Promise.all([
    db.user.count({ where }),
    db.user.findMany({ where, orderBy: { address: 'asc' }, skip: (page - 1) * pageSize, take: pageSize, select: { id: true, address: true, role: true, hasMailbox: true, active: true, quotaBytes: true } }),
    db.alias.findMany({ orderBy: [{ address: 'asc' }], take: 500 }),
  ]);
  // Open console sessions of the users shown (the rest of their story is in the audit log).
  const open = await db.consoleSession.groupBy({ by: ['userAddress'], where: { revokedAt: null, userAddress: { in: users.map((u) => u.address) } }, _count: { _all: true }, _max: { lastSeenAt: true } });
  const sessions = new Map(open.map((o) => [o.userAddress, { count: o._count._all, lastSeenAt: o._max.lastSeenAt }]));
  const factors = await db.secondFactor.groupBy({ by: ['userAddress'], where: { confirmedAt: { not: null }, userAddress: { in: users.map((u) => u.address) } }, _count: { _all: true } });
  const factorCount = new Map(factors.map((f) => [f.userAddress, f._count._all]));
  return {
    total,
    users: users.map((u) => ({ ...u, sessions: sessions.get(u.address) ?? { count: 0, lastSeenAt: null }, secondFactors: factorCount.get(u.address) ?? 0 })),
    aliases,
    page,
    pageSize,
  };
};

export type RevisionFilter = { before?: number; actor?: string; q?: string };

export const getPolicyPage = async (f: RevisionFilter = {}) => {
  const db = await getDb();
  const rows = await loadPolicyRows(db);
  // Each of the 20 shown is diffed against the revision just before it, whatever the filter.
  const where = {
    ...(f.before ? { id: { lt: f.before } } : {}),
    ...(f.actor ? { actor: f.actor.trim().toLowerCase() } : {}),
    ...(f.q ? { summary: { contains: f.q.trim() } } : {}),
  };
  // Unfiltered, the 21st row is the 20th's predecessor and one query serves the page; a
  // filter leaves gaps, so each shown revision's predecessor is looked up.
  const filtered = !!(f.actor || f.q);
  const rowsRead = await db.policyRevision.findMany({ where, orderBy: { id: 'desc' }, take: filtered ? 20 : 21, select: { id: true, actor: true, summary: true, createdAt: true, mainCf: true, snapshot: true } });
  const shown = rowsRead.slice(0, 20);
  const previous = filtered
    ? await Promise.all(shown.map((r) => db.policyRevision.findFirst({ where: { id: { lt: r.id } }, orderBy: { id: 'desc' }, select: { mainCf: true } })))
    : shown.map((_, i) => rowsRead[i + 1]);
  const revisions = shown.map((r, i) => ({
    id: r.id,
    actor: r.actor,
    summary: r.summary,
    createdAt: r.createdAt,
    restorable: !!r.snapshot,
    diff: diffMainCf(previous[i]?.mainCf ?? '', r.mainCf),
  }));
  return {
    live: rows.revision,
    more: shown.length === 20 ? shown.at(-1)!.id : undefined,
    mainCf: renderMainCf(rows, `live policy revision ${rows.revision}`),
    revisions,
    parameters: PARAMETERS.map((p) => ({ name: p.name, doc: p.doc, value: rows.settings[p.name], group: p.group })),
  };
};

export type AuditFilter = { actor?: string; action?: string; from?: string; before?: number };

/** The audit log, newest first, 100 a page, filtered by actor, kind (action prefix) and date. */
export const getAuditPage = async (f: AuditFilter = {}) => {
  const from = f.from ? new Date(f.from) : null;
  const rows = await (await getDb()).auditEntry.findMany({
    where: {
      ...(f.actor ? { actor: f.actor.trim().toLowerCase() } : {}),
      ...(f.action ? { action: { startsWith: f.action.trim() } } : {}),
      ...(from && !Number.isNaN(from.getTime()) ? { at: { gte: from } } : {}),
      ...(f.before ? { id: { lt: f.before } } : {}),
    },
    orderBy: { id: 'desc' },
    take: 100,
  });
  return { rows, more: rows.length === 100 ? rows.at(-1)!.id : undefined };
};

export const getQueuePage = async (actor: Actor) => listQueue(await getDb(), actor);
