// npm run lint enforces DESIGN.md's module boundaries (eslint.config.mjs). Each case plants a
// violation where it is forbidden and requires ESLint to name it — so a rule that stops
// matching (a renamed folder, a loosened pattern) fails here, not silently in review.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: root });

/** The rule ids ESLint reports for `code` as if it were the file at `rel`. */
const rulesFor = async (rel: string, code: string) => {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, rel) });
  return result!.messages.map((m) => m.ruleId ?? m.message);
};

describe('npm run lint: the boundaries of DESIGN.md', () => {
  it.each([
    ['mail-engine/policy/planted.ts', "import { NextResponse } from 'next/server';\nexport const x = NextResponse;\n"],
    ['mail-engine/policy/planted.ts', "import { db } from '../../server/db';\nexport const x = db;\n"],
    ['mail-engine/policy/planted.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n"],
    ['mail-engine/policy/planted.ts', "import { createQueueManager } from '../queue/queue-manager';\nexport const x = createQueueManager;\n"],
    ['mail-engine/smtp/planted.ts', "import { PrismaClient } from '@prisma/client';\nexport const x = PrismaClient;\n"],
    ['mail-engine/smtp/planted.ts', "import pg from 'pg';\nexport const x = pg;\n"],
    ['mail-engine/queue/planted.ts', "import { useState } from 'react';\nexport const x = useState;\n"],
    ['mail-engine/log/planted.ts', "import { auth } from '@/server/auth/auth';\nexport const x = auth;\n"],
    ['components/planted.tsx', "import { findUsers } from '@/server/services/users/find-users';\nexport const x = findUsers;\n"],
    ['components/planted.tsx', "import { prisma } from '@/prisma/client';\nexport const x = prisma;\n"],
    ['app/planted/page.tsx', "import { getDb } from '@/server/db';\nexport const x = getDb;\n"],
  ])('%s: refuses %s', async (file, code) => {
    expect(await rulesFor(file, code)).toContain('no-restricted-imports');
  });

  it('lets components import server actions and types', async () => {
    const code = "import { createUserAction } from '@/server/actions/users';\nimport type { Role } from '@/server/services/actor';\nexport const x: [typeof createUserAction, Role | null] = [createUserAction, null];\n";
    expect(await rulesFor('components/planted.tsx', code)).not.toContain('no-restricted-imports');
  });

  it('refuses timers in the pure policy core', async () => {
    expect(await rulesFor('mail-engine/policy/planted.ts', 'export const x = () => setTimeout(() => {}, 1);\n')).toContain('no-restricted-globals');
  });

  it("refuses reading or writing another module's prototype", async () => {
    expect(await rulesFor('mail-engine/smtp/planted.ts', "import { SMTPServer } from 'smtp-server';\nSMTPServer.prototype.listen = () => undefined as never;\n")).toContain('no-restricted-syntax');
    expect(await rulesFor('server/planted.ts', 'export const s = Object.prototype.toString;\n')).toContain('no-restricted-syntax');
  });

  it('refuses a source file over 400 lines', async () => {
    const code = Array.from({ length: 401 }, (_, i) => `export const v${i} = ${i};`).join('\n');
    expect(await rulesFor('server/planted.ts', code)).toContain('max-lines');
  });

  describe('import cycles', () => {
    const dir = mkdtempSync(path.join(root, 'mail-engine/policy/.planted-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('refuses a cycle between two modules', async () => {
      writeFileSync(path.join(dir, 'a.ts'), "import { b } from './b';\nexport const a = () => b;\n");
      writeFileSync(path.join(dir, 'b.ts'), "import { a } from './a';\nexport const b = () => a;\n");
      const [result] = await eslint.lintFiles([path.join(dir, 'a.ts')]);
      expect(result!.messages.map((m) => m.ruleId)).toContain('import-x/no-cycle');
    });
  });
});
