// First run on an empty database: the default policy (revision 1) and the first admin,
// whose password comes from POSTERN_ADMIN_PASSWORD or is generated, printed once and kept
// in <dataDir>/initial-admin-password (0600). A later start changes nothing.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Db } from '../../../prisma/client';
import { hashPassword } from '../../../mail-engine/auth/password-hash';
import { CLI_ACTOR } from '../actor';
import { commitPolicyChange } from '../policy/commit-policy-change';
import { defaultSettings } from './default-settings';

export type InitializeResult = { createdPolicy: boolean; admin?: { address: string; password?: string; passwordFile?: string } };

export const initializeDatabase = async (db: Db, o: { dataDir: string; adminEmail: string; adminPassword?: string }): Promise<InitializeResult> => {
  const res: InitializeResult = { createdPolicy: false };
  if ((await db.policyRevision.count()) === 0 && (await db.setting.count()) === 0) {
    await commitPolicyChange(db, CLI_ACTOR, { action: 'setup.defaults', entity: 'policy', summary: 'initial secure defaults' }, async (tx) => {
      for (const [name, value] of Object.entries(defaultSettings())) await tx.setting.create({ data: { name, value } });
    });
    res.createdPolicy = true;
  }
  if ((await db.user.count({ where: { role: 'ADMIN' } })) === 0) {
    const generated = !o.adminPassword;
    const password = o.adminPassword ?? randomBytes(12).toString('base64url');
    const address = o.adminEmail.toLowerCase();
    const passwordHash = await hashPassword(password);
    await commitPolicyChange(db, CLI_ACTOR, { action: 'user.create', entity: 'user', entityId: address, summary: `first admin ${address}` }, (tx) =>
      tx.user.create({ data: { address, passwordHash, role: 'ADMIN', hasMailbox: true } }),
    );
    res.admin = { address };
    if (generated) {
      const file = path.join(o.dataDir, 'initial-admin-password');
      writeFileSync(file, `${password}\n`, { mode: 0o600 });
      res.admin.password = password;
      res.admin.passwordFile = file;
    }
  }
  return res;
};
