// The DATA scanner that finds dot lines natively must behave as smtp-server's own: both are
// fed the same bytes, split into the same random chunks, and must find the same end of data
// and the same commands after it; the message is smtp-server's but for RFC 5321 §4.5.2's
// transparency (every line starting with a dot and more loses the dot, not only ".."), which
// a whole-string model of the rule checks. The inputs are built to hit what matters: escape
// dots, the terminator at every position relative to chunk boundaries, lone dots, bare
// CR/LF, and commands pipelined after the terminator (the smuggling cases).
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PosternStream } from '../../../../mail-engine/smtp/postern-smtp-server';

type Stream = {
  oncommand: (c: Buffer, cb?: () => void) => void;
  startDataMode(max?: number): NodeJS.ReadableStream;
  continue(): void;
  write(b: Buffer, cb?: () => void): boolean;
  end(cb?: () => void): void;
};

/** smtp-server's own parser, which the engine's PosternStream extends (and nothing alters). */
const { SMTPStream: Original } = createRequire(import.meta.url)('smtp-server/lib/smtp-stream.js') as { SMTPStream: new () => Stream };
const Postern = PosternStream as unknown as new () => Stream;

/** Feeds `chunks` after a DATA command; resolves with the message and the commands that followed. */
const run = (Cls: new () => Stream, chunks: Buffer[]) =>
  new Promise<{ message: string; commands: string[] }>((resolve) => {
    const s = new Cls();
    const commands: string[] = [];
    let message = '';
    let dataSeen = false;
    s.oncommand = (c, cb) => {
      const line = c.toString('binary');
      if (!dataSeen && line === 'DATA') {
        dataSeen = true;
        const data = s.startDataMode();
        data.on('data', (d: Buffer) => (message += d.toString('binary')));
        data.on('end', () => s.continue());
        cb?.();
        return;
      }
      commands.push(line);
      cb?.();
    };
    const all = [Buffer.from('DATA\r\n'), ...chunks];
    const next = (i: number) => {
      // After the last write: the data stream's 'end' and what it releases run in later turns.
      if (i === all.length) return s.end(() => setImmediate(() => setImmediate(() => setImmediate(() => resolve({ message, commands })))));
      s.write(all[i]!, () => next(i + 1));
    };
    next(0);
  });

/** A deterministic generator, so a failure names its seed. */
const rng = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};

const PIECES = ['.', '..', '\r\n', '\n', '\r', 'a', 'Subject: x', '\r\n.\r\n', '\r\n..\r\n', '.\r\n', 'QUIT\r\n', 'RSET\r\n', '\r\n.abc', '\n.x'];

/** RFC 5321 §4.5.2 over a whole message: the dot that starts a line with more on it goes. */
const unstuffed = (raw: string) => raw.replace(/(^|\r\n)\.(?!\r)/g, '$1');

const randomInput = (r: () => number) => {
  let s = '';
  const n = 1 + Math.floor(r() * 40);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(r() * PIECES.length)];
  // Always a terminator somewhere, then commands pipelined after it.
  return `${s}\r\n.\r\nMAIL FROM:<a@b>\r\n${r() < 0.5 ? 'x\r\n.\r\n' : ''}`;
};

const split = (b: Buffer, r: () => number) => {
  const out: Buffer[] = [];
  for (let at = 0; at < b.length; ) {
    const n = 1 + Math.floor(r() * (r() < 0.3 ? 3 : 40));
    out.push(b.subarray(at, at + n));
    at += n;
  }
  return out;
};

describe('DATA scanner', () => {
  it('finds the end of data as smtp-server does, and unstuffs every dot line (2,000 random inputs and chunkings)', async () => {
    let compared = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const r = rng(seed);
      const input = Buffer.from(randomInput(r), 'binary');
      const chunks = split(input, r);
      const want = await run(Original, chunks);
      const got = await run(Postern, chunks);
      expect({ seed, commands: got.commands }).toEqual({ seed, commands: want.commands });
      // The message: the raw bytes up to the terminator smtp-server found, unstuffed.
      const raw = input.toString('binary');
      const end = raw.startsWith('.\r\n') ? 0 : raw.indexOf('\r\n.\r\n') + 2;
      // A message with a bare LF is refused at end of DATA whatever it holds: compared without.
      if (!/(^|[^\r])\n/.test(raw.slice(0, end))) {
        compared++;
        expect({ seed, message: got.message }).toEqual({ seed, message: unstuffed(raw.slice(0, end)) });
      }
    }
    expect(compared).toBeGreaterThan(300);
  });

  it('removes the leading dot of any line with more on it, as Postfix does (RFC 5321 §4.5.2)', async () => {
    const got = await run(Postern, [Buffer.from('.first\r\nSubject: a\r\n\r\n.abc\r\n...\r\n.\r\n')]);
    expect(got).toEqual({ message: 'first\r\nSubject: a\r\n\r\nabc\r\n..\r\n', commands: [] });
  });

  it('unstuffs, ends at the terminator, and leaves what follows to the command parser', async () => {
    const got = await run(Postern, [Buffer.from('Subject: a\r\n\r\n..dot\r\n.'), Buffer.from('\r\nQUIT\r\n')]);
    expect(got).toEqual({ message: 'Subject: a\r\n\r\n.dot\r\n', commands: ['QUIT'] });
  });

  it('does not end at a terminator split so that its dot starts a chunk after an escape', async () => {
    // "\r\n..\r\n" is a line holding one dot, not the end; the real end comes later.
    const got = await run(Postern, [Buffer.from('a\r\n.'), Buffer.from('.\r\nb\r\n.\r\n')]);
    expect(got).toEqual({ message: 'a\r\n.\r\nb\r\n', commands: [] });
  });
});
