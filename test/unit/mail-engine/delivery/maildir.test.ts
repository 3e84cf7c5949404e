// Maildir delivery on a real filesystem: tmp → new, the spool path a single-mailbox
// message takes (written once, renamed into new/, idempotent after a crash), quotas.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMaildirWriter, maildirFor, maildirUsage } from '../../../../mail-engine/delivery/deliver-maildir';
import { writeSpoolFiles } from '../../../../mail-engine/store/spool-file';

const root = mkdtempSync(path.join(os.tmpdir(), 'postern-maildir-'));
const box = (a: string) => maildirFor(root, a);
const inNew = (a: string) => readdirSync(path.join(box(a), 'new'));

describe('Maildir delivery', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const w = createMaildirWriter(root);

  it('writes through tmp/ into new/ with a Maildir++ size in the name, tmp/ left empty', async () => {
    const o = await w.deliver('ann@example.com', 'Delivered-To: ann@example.com\r\n', Buffer.from('Subject: a\r\n\r\nhi\r\n'), 0);
    expect(o.kind).toBe('sent');
    const [name] = inNew('ann@example.com');
    expect(name).toMatch(/,S=49$/);
    expect(readFileSync(path.join(box('ann@example.com'), 'new', name!), 'utf8')).toBe('Delivered-To: ann@example.com\r\nSubject: a\r\n\r\nhi\r\n');
    expect(readdirSync(path.join(box('ann@example.com'), 'tmp'))).toEqual([]);
  });

  it('renames a spooled message into new/ (its only write), and a repeat finds it delivered', async () => {
    const s = await w.spoolFile('Delivered-To: bob@example.com\r\n', [Buffer.from('Subject: b\r\n'), Buffer.from('\r\nyo\r\n')]);
    await writeSpoolFiles([s.file]);
    expect(readFileSync(s.file.file, 'utf8')).toBe('Delivered-To: bob@example.com\r\nSubject: b\r\n\r\nyo\r\n');
    expect(s.rel).toMatch(/^\.postern-spool\/[0-9a-f]\//);
    expect((await w.deliverSpooled(s.rel, 'bob@example.com', 0)).kind).toBe('sent');
    expect(inNew('bob@example.com')).toEqual([path.basename(s.rel)]);
    // After a crash between the rename and recording it, delivery is tried again: still one copy.
    expect((await w.deliverSpooled(s.rel, 'bob@example.com', 0)).kind).toBe('sent');
    expect(inNew('bob@example.com')).toHaveLength(1);
  });

  it('bounces when a spooled body is gone and was not delivered', async () => {
    const o = await w.deliverSpooled('.postern-spool/0/1.P1Q1Rx.host,S=10', 'carl@example.com', 0);
    expect(o).toMatchObject({ kind: 'bounced', dsn: '5.3.0' });
  });

  it('bounces with 5.2.2 past the quota, counting what it delivered', async () => {
    const body = Buffer.alloc(400, 'x');
    expect((await w.deliver('dee@example.com', '', body, 1000)).kind).toBe('sent');
    expect((await w.deliver('dee@example.com', '', body, 1000)).kind).toBe('sent');
    expect(await w.deliver('dee@example.com', '', body, 1000)).toMatchObject({ kind: 'bounced', dsn: '5.2.2' });
    expect(await maildirUsage(box('dee@example.com'))).toBe(800);
    const s = await w.spoolFile('', [body]);
    await writeSpoolFiles([s.file]);
    expect(await w.deliverSpooled(s.rel, 'dee@example.com', 1000)).toMatchObject({ kind: 'bounced', dsn: '5.2.2' });
  });
});
