// The delivery log's journal on its own: keys that order, replay of what the database lacks,
// mail.log completed when a crash came between the journal and mail.log, files removed once
// committed.
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEventJournal, type JournaledRow } from '../../../../mail-engine/store/event-journal';

type Ev = { n: number };
const fromJson = (j: Record<string, unknown>) => j as unknown as JournaledRow<Ev>;

describe('event journal', () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'postern-journal-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('keys rows in order, replays those past the mark, and completes mail.log', () => {
    const dir = tmp();
    const log = path.join(dir, 'mail.log');
    const j = openEventJournal<Ev>(dir, 'node-1');
    const a = j.appendSync('line 1\nline 2\n', [{ n: 1 }, { n: 2 }]);
    appendFileSync(log, 'line 1\nline 2\n');
    const b = j.appendSync('line 3\n', [{ n: 3 }]);
    // killed here: line 3 never reached mail.log, and the table has row 1 only
    expect(a[0]!.key < a[1]!.key && a[1]!.key < b[0]!.key).toBe(true);
    j.close();

    const again = openEventJournal<Ev>(dir, 'node-1');
    const rows = again.replay(a[0]!.key, log, fromJson);
    expect(rows.map((r) => r.n)).toEqual([2, 3]);
    expect(readFileSync(log, 'utf8')).toBe('line 1\nline 2\nline 3\n');
    // This run's keys come after the replayed ones, and committing past them removes the old file.
    const c = again.appendSync('line 4\n', [{ n: 4 }]);
    expect(c[0]!.key > b[0]!.key).toBe(true);
    again.committed(b[0]!.key);
    expect(readdirSync(dir).filter((f) => f.endsWith('.journal'))).toHaveLength(1);
    again.committed(c[0]!.key);
    expect(readdirSync(dir).filter((f) => f.endsWith('.journal'))).toHaveLength(0);
  });

  it('replays nothing when the database has everything, and skips a line torn by the crash', () => {
    const dir = tmp();
    const log = path.join(dir, 'mail.log');
    writeFileSync(log, 'x\n');
    const j = openEventJournal<Ev>(dir, 'node-2');
    const a = j.appendSync('x\n', [{ n: 1 }]);
    j.close();
    const file = readdirSync(dir).find((f) => f.endsWith('.journal'))!;
    appendFileSync(path.join(dir, file), '{"t":"half a li');
    const again = openEventJournal<Ev>(dir, 'node-2');
    expect(again.replay(a[0]!.key, log, fromJson)).toEqual([]);
    expect(readFileSync(log, 'utf8')).toBe('x\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.journal'))).toHaveLength(0);
  });
});
