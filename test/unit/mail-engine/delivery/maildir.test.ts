// Maildir delivery on a real filesystem: tmp → new, the spool path a single-mailbox
// message takes (written once, renamed into new/, idempotent after a crash), quotas.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
    const o = await w.deliver('ann@example.com', 'Delivered-To: ann@example.com\r\n', Buffer.from('Subject: a\r\n\r\nhi\r\n'), 0);
    expect(o.kind).toBe('sent');
    const [name] = inNew('ann@example.com');
    expect(name).toMatch(/,S=49$/);
    expect(readFileSync(path.join(box('ann@example.com'), 'new', name!), 'utf8')).toBe('Delivered-To: ann@example.com\r\nSubject: a\r\n\r\nhi\r\n');
    expect(readdirSync(path.join(box('ann@example.com'), 'tmp'))).toEqual([]);
  });

  /** A spool file as earlier versions wrote it (queue rows may still name one). */
  const spool = (name: string, content: string) => {
    mkdirSync(path.join(root, '.postern-spool', '0'), { recursive: true });
    writeFileSync(path.join(root, '.postern-spool', '0', name), content);
    return `.postern-spool/0/${name}`;
  };

  it('renames a spooled message into new/ (its only write), and a repeat finds it delivered', async () => {
    const rel = spool('1.P1Q1Rspool.host,S=41', 'Delivered-To: bob@example.com\r\nSubject: b\r\n\r\nyo\r\n');
    expect((await w.deliverSpooled(rel, 'bob@example.com', 0)).kind).toBe('sent');
    expect(inNew('bob@example.com')).toEqual([path.basename(rel)]);
    // After a crash between the rename and recording it, delivery is tried again: still one copy.
    expect((await w.deliverSpooled(rel, 'bob@example.com', 0)).kind).toBe('sent');
    expect(inNew('bob@example.com')).toHaveLength(1);
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
    expect(await w.deliverSpooled(spool('1.P1Q2Rspool.host,S=400', body.toString()), 'dee@example.com', 1000)).toMatchObject({ kind: 'bounced', dsn: '5.2.2' });
    expect(await w.prepare('dee@example.com', '', [body], 1000)).toBe('over quota');
    expect(await w.prepare('dee@example.com', '', [Buffer.alloc(200, 'y')], 1000)).not.toBe('over quota');
  });
});
