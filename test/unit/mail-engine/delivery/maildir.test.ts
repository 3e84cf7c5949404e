// Maildir delivery on a real filesystem: tmp → new, the file prepared for a delivery at
// acceptance, quotas.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMaildirWriter, maildirFor, maildirUsage } from '../../../../mail-engine/delivery/deliver-maildir';

const root = mkdtempSync(path.join(os.tmpdir(), 'postern-maildir-'));
const box = (a: string) => maildirFor(root, a);
const inNew = (a: string) => readdirSync(path.join(box(a), 'new'));

describe('Maildir delivery', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const w = createMaildirWriter(root);

  it('writes through tmp/ into new/ with a Maildir++ size in the name, tmp/ left empty', async () => {
    const o = await w.deliver('ann@example.com', 'Delivered-To: ann@example.com\r\n', [Buffer.from('Subject: a\r\n\r\nhi\r\n')], 0);
    expect(o.kind).toBe('sent');
    const [name] = inNew('ann@example.com');
    expect(name).toMatch(/,S=49$/);
    expect(readFileSync(path.join(box('ann@example.com'), 'new', name!), 'utf8')).toBe('Delivered-To: ann@example.com\r\nSubject: a\r\n\r\nhi\r\n');
    expect(readdirSync(path.join(box('ann@example.com'), 'tmp'))).toEqual([]);
  });

  it('prepares a delivery at acceptance: tmp/ and new/ names, the whole file, the Maildir made', async () => {
    const f = await w.prepare('eve@example.com', 'Delivered-To: eve@example.com\r\n', [Buffer.from('Subject: e\r\n'), Buffer.from('\r\nhi\r\n')], 0);
    if (f === 'over quota') throw new Error('not over any quota');
    expect(Buffer.from(f.data).toString()).toBe('Delivered-To: eve@example.com\r\nSubject: e\r\n\r\nhi\r\n');
    expect(path.dirname(f.tmp)).toBe(path.join(box('eve@example.com'), 'tmp'));
    expect(f.path).toBe(path.join(box('eve@example.com'), 'new', path.basename(f.tmp)));
    expect(f.path).toMatch(new RegExp(`,S=${f.data.length}$`));
    expect(f.data.length).toBe(49);
    // Its own buffer, so that it can be moved to the writer thread.
    expect(f.data.byteLength).toBe(f.data.buffer.byteLength);
    expect(readdirSync(box('eve@example.com')).sort()).toEqual(['cur', 'new', 'tmp']);
  });

  it('bounces with 5.2.2 past the quota, counting what it delivered', async () => {
    const body = Buffer.alloc(400, 'x');
    expect((await w.deliver('dee@example.com', '', [body], 1000)).kind).toBe('sent');
    expect((await w.deliver('dee@example.com', '', [body], 1000)).kind).toBe('sent');
    expect(await w.deliver('dee@example.com', '', [body], 1000)).toMatchObject({ kind: 'bounced', dsn: '5.2.2' });
    expect(await maildirUsage(box('dee@example.com'))).toBe(800);
    expect(await w.prepare('dee@example.com', '', [body], 1000)).toBe('over quota');
    expect(await w.prepare('dee@example.com', '', [Buffer.alloc(200, 'y')], 1000)).not.toBe('over quota');
  });
});
