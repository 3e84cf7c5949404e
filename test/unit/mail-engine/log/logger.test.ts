// mail.log: lines are gathered briefly and written together, in the order they happened;
// flush() and close() write what is gathered at once (shutdown loses nothing).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEngineLogger } from '../../../../mail-engine/log/logger';
import { waitFor } from '../../../helpers/wait';

const dir = mkdtempSync(path.join(os.tmpdir(), 'postern-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const read = (d: string) => {
  try {
    return readFileSync(path.join(d, 'mail.log'), 'utf8');
  } catch {
    return '';
  }
};

describe('engine logger', () => {
  it('writes gathered lines in order, soon after they happen', async () => {
    const d = path.join(dir, 'a');
    const log = createEngineLogger({ logDir: d, hostname: 'mx.example.org' });
    for (let i = 0; i < 100; i++) log.raw('smtpd', `line ${i}`);
    const text = await waitFor(() => read(d), (t) => t.includes('line 99'));
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(100);
    expect(lines.map((l) => /line (\d+)$/.exec(l)?.[1]).map(Number)).toEqual([...Array(100).keys()]);
    expect(lines[0]).toMatch(/^\w{3} [ \d]\d \d\d:\d\d:\d\d mx postfix\/smtpd\[\d+\]: line 0$/);
    log.close();
  });

  it('flush() writes what is gathered at once, and close() too', async () => {
    const d = path.join(dir, 'b');
    const log = createEngineLogger({ logDir: d, hostname: 'mx' });
    log.raw('qmgr', 'before flush');
    await log.flush();
    expect(read(d)).toContain('postfix/qmgr');
    log.raw('qmgr', 'before close');
    log.close();
    expect(read(d)).toContain('before close');
  });
});
