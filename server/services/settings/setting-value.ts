// One parameter's raw value as stored, or the registry's default: for the console's own
// settings (login throttling, session lifetimes), read where they are used.
import { defaultFor, PARAMETER_TABLE } from '../../../mail-engine/policy/parameters';
import type { Db } from '../../../prisma/client';

/** Postern's own parameters have the same default at every compatibility level. */
export const settingValue = async (db: Pick<Db, 'setting'>, name: string) => {
  const row = await db.setting.findUnique({ where: { name } });
  return row?.value ?? defaultFor(PARAMETER_TABLE.get(name)!, 3.6);
};
