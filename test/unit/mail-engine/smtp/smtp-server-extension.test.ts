// PosternServer extends smtp-server by subclassing (postern-smtp-server.ts). Two promises:
//  - an upgrade of smtp-server that changes any member Postern overrides fails here, loudly,
//    naming the member, so whoever upgrades re-reads that member before accepting it;
//  - the extension is Postern's alone: a plain SMTPServer in the same process keeps
//    smtp-server's own dialect (no process-wide patch leaks into it).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import type { SMTPServer as SMTPServerType } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import { PosternServer } from '../../../../mail-engine/smtp/postern-smtp-server';

const require = createRequire(import.meta.url);
const dist = path.dirname(require.resolve('smtp-server'));

/** Each overridden member, by file, with the digest of its source in the pinned version. */
const OVERRIDDEN: Record<string, Record<string, string>> = {
  'smtp-server.js': { connect: 'c887d195a7451005', _expectsProxyHeader: '890ea159cdcea275' },
  'smtp-connection.js': {
    init: 'b193779f91d49ca2',
    send: '22b441c646c8ac0e',
    _sendGreeting: '219b110641072196',
    _createParser: 'f3e5e331e4bc3c05',
    _onCommand: 'e80de62dbeae202d',
    _parseAddressCommand: '2ac052c759d715bc',
    handler_QUIT: '95829c6f03e36937',
  },
  'smtp-stream.js': { _write: '238c9d9f0733e6b7', _feedDataStream: 'ac0fad56b590795a' },
};

/** The source of a class member: from its "    name(" line to the first "    }" after it. */
const memberSource = (file: string, member: string) => {
  const lines = readFileSync(path.join(dist, file), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith(`    ${member}(`));
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && l === '    }');
  return lines.slice(start, end + 1).join('\n');
};

describe('smtp-server extension', () => {
  it('extends the smtp-server version pinned in package.json', () => {
    const pinned = (JSON.parse(readFileSync(path.join(import.meta.dirname, '../../../../package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies['smtp-server'];
    const installed = (require('smtp-server/package.json') as { version: string }).version;
    expect(pinned).toBe(installed);
  });

  for (const [file, members] of Object.entries(OVERRIDDEN)) {
    for (const [member, digest] of Object.entries(members)) {
      it(`${file} ${member}() is the code postern-smtp-server.ts overrides`, () => {
        const source = memberSource(file, member);
        expect(source, `smtp-server no longer has ${member}() in ${file}`).toBeDefined();
        const got = createHash('sha256').update(source!).digest('hex').slice(0, 16);
        expect(got, `smtp-server changed ${member}() in ${file}: re-read it against postern-smtp-server.ts, then update the digest`).toBe(digest);
      });
    }
  }

  describe('in one process with a plain SMTPServer', () => {
    const { SMTPServer } = require('smtp-server') as { SMTPServer: typeof SMTPServerType };
    const plain = new SMTPServer({ logger: false, disableReverseLookup: true, authOptional: true });
    const postern = new PosternServer(
      { logger: false, disableReverseLookup: true, authOptional: true },
      { greetPauseMs: () => 0, greeting: () => 'mx.test ESMTP Postern' },
    );
    afterAll(async () => {
      await new Promise<void>((r) => plain.close(() => r()));
      await new Promise<void>((r) => postern.close(() => r()));
    });

    /** Connects, sends `line` after the greeting, returns the greeting and the reply. */
    const talk = async (server: { listen(port: number, host: string, cb: () => void): unknown; server: net.Server }, line: string) => {
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.server.address() as net.AddressInfo).port;
      return new Promise<string[]>((resolve, reject) => {
        const socket = net.connect(port, '127.0.0.1');
        let buf = '';
        socket.on('data', (d) => {
          buf += d.toString();
          const lines = buf.split('\r\n').filter(Boolean);
          if (lines.length === 1 && buf.endsWith('\r\n')) socket.write(`${line}\r\n`);
          if (lines.length === 2) {
            socket.destroy();
            resolve(lines);
          }
        });
        socket.on('error', reject);
      });
    };

    it('Postern answers as Postfix, the plain server as smtp-server', async () => {
      const [plainGreeting, plainReply] = await talk(plain, 'FROB');
      const [posternGreeting, posternReply] = await talk(postern, 'FROB');
      expect(posternGreeting).toBe('220 mx.test ESMTP Postern');
      expect(posternReply).toBe('502 5.5.2 Error: command not recognized');
      expect(plainGreeting).toMatch(/^220 .* ESMTP$/);
      expect(plainReply).toBe('500 Error: command not recognized');
    });
  });
});
