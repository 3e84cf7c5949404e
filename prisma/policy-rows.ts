// The rows the policy compiler takes, read with any Prisma client or interactive
// transaction. Shared by the engine's policy store and the console's save path (which
// compiles the draft inside its transaction), so both read the same thing the same way.
import os from 'node:os';
import type { Db } from './client';

type Reader = Pick<Db, 'policyRevision' | 'setting' | 'domain' | 'trustedNetwork' | 'user' | 'alias' | 'accessEntry'>;

export type PolicyRowsData = {
  revision: number;
  settings: Record<string, string>;
  domains: { name: string; kind: 'LOCAL' | 'RELAY'; active: boolean }[];
  networks: { cidr: string }[];
  users: { address: string; active: boolean; hasMailbox: boolean; quotaBytes: number }[];
  aliases: { address: string; target: string; active: boolean }[];
  accessEntries: { table: string; key: string; action: string }[];
  hostAddresses: { address: string; prefix: number }[];
};

export const hostAddresses = (): PolicyRowsData['hostAddresses'] =>
  Object.values(os.networkInterfaces())
    .flat()
    .filter((i): i is os.NetworkInterfaceInfo => !!i)
    .map((i) => ({ address: i.address.replace(/%.*$/, ''), prefix: Number(i.cidr?.split('/')[1] ?? (i.family === 'IPv4' ? 32 : 128)) }));

export const loadPolicyRows = async (db: Reader): Promise<PolicyRowsData> => {
  const revision = await db.policyRevision.aggregate({ _max: { id: true } });
  const settings = await db.setting.findMany();
  const domains = await db.domain.findMany({ select: { name: true, kind: true, active: true }, orderBy: { name: 'asc' } });
  const networks = await db.trustedNetwork.findMany({ select: { cidr: true }, orderBy: [{ position: 'asc' }, { id: 'asc' }] });
  const users = (await db.user.findMany({ select: { address: true, active: true, hasMailbox: true, quotaBytes: true } })).map((u) => ({ ...u, quotaBytes: Number(u.quotaBytes) }));
  const aliases = await db.alias.findMany({ select: { address: true, target: true, active: true } });
  const accessEntries = await db.accessEntry.findMany({ select: { table: true, key: true, action: true } });
  return {
    revision: revision._max.id ?? 0,
    settings: Object.fromEntries(settings.map((s) => [s.name, s.value])),
    domains: domains.map((d) => ({ ...d, kind: d.kind === 'RELAY' ? ('RELAY' as const) : ('LOCAL' as const) })),
    networks,
    users,
    aliases,
    accessEntries,
    hostAddresses: hostAddresses(),
  };
};
