// smtp-server's SMTPStream._feedDataStream (version pinned in package.json), with two changes.
// The search for a line that starts with a dot (the end of data, "\r\n.\r\n", or an escape
// dot) uses Buffer#indexOf, which runs natively over the chunk, instead of a JavaScript loop
// that visits every byte of every message (a sixth of the event loop's time with 100 KB
// messages). And transparency is RFC 5321 §4.5.2's, as Postfix applies it: a line that
// starts with a dot and has more characters loses that dot (".abc" from a client that did
// not stuff is stored as "abc"), where smtp-server removes one only before another dot.
// Everything else is the original, statement for statement, including its defences against
// smuggling through TCP segmentation; a differential test
// (test/unit/mail-engine/smtp/data-scanner.test.ts) feeds both the same bytes in the same
// random chunks and requires the same commands after the message, and the same message up to
// that rule.
import type { PassThrough } from 'node:stream';

const END_SEQUENCE = Buffer.from('\r\n.\r\n');
const LF_DOT = Buffer.from('\n.');
const DOT_CRLF = Buffer.from('.\r\n');

/** The SMTPStream state the scanner reads and writes (smtp-stream.js). */
export type DataStreamState = {
  _dataStream: PassThrough & { byteLength?: number; sizeExceeded?: boolean };
  _lastBytes: Buffer | false;
  _atDataStart: boolean;
  _countDataBytes(len: number): void;
  _endDataMode(chunk: Buffer | false, remainder: Buffer, done: (err?: Error) => void): void;
  _feedDataStream(chunk: Buffer, done: (err?: Error) => void): void;
};

export function feedDataStream(this: DataStreamState, chunk: Buffer, done: (err?: Error) => void): void {
  const dataStream = this._dataStream;
  let buf: Buffer;
  if (this._lastBytes && this._lastBytes.length) {
    chunk = Buffer.concat([this._lastBytes, chunk], this._lastBytes.length + chunk.length);
    this._lastBytes = false;
  }
  let len = chunk.length;
  // The data does not start with the terminator (see the original for why _atDataStart).
  if (this._atDataStart && len >= 3 && Buffer.compare(chunk.subarray(0, 3), DOT_CRLF) === 0) {
    this._endDataMode(false, chunk.subarray(3), done);
    return;
  }
  // A dot that starts the first line, with more after it.
  if (this._atDataStart && len >= 2 && chunk[0] === 0x2e && chunk[1] !== 0x0d) {
    chunk = chunk.subarray(1);
    len--;
    this._atDataStart = false;
  }
  // The original visits i = 2 … len - 3 for chunk[i] === '.' && chunk[i - 1] === '\n';
  // here p = i - 1 is where "\n." starts: p = 1 … len - 4.
  for (let p = chunk.indexOf(LF_DOT, 1); p !== -1 && p + 1 < len - 2; p = chunk.indexOf(LF_DOT, p + 1)) {
    const i = p + 1;
    if (Buffer.compare(chunk.subarray(i - 2, i + 3), END_SEQUENCE) === 0) {
      buf = chunk.subarray(0, i);
      this._countDataBytes(buf.length);
      this._endDataMode(buf, chunk.subarray(i + 3), done);
      return;
    }
    // A line starting with a dot, and more than the dot on it (".\r" is not removed: the
    // terminator, or a bare CR that DATA refuses anyway).
    if (chunk[i + 1] !== 0x0d) {
      buf = chunk.subarray(0, i);
      this._lastBytes = false;
      this._countDataBytes(buf.length);
      if (dataStream.writable) dataStream.write(buf);
      const rest = chunk.subarray(i + 1);
      setImmediate(() => this._feedDataStream(rest, done));
      return;
    }
  }
  // Keep the last bytes, emit the rest.
  this._lastBytes = chunk.length < 4 ? chunk : chunk.subarray(chunk.length - 4);
  if (this._lastBytes.length < chunk.length) {
    buf = chunk.subarray(0, chunk.length - this._lastBytes.length);
    this._countDataBytes(buf.length);
    if (dataStream.writable) {
      const handled = dataStream.write(buf);
      if (!handled && !dataStream.destroyed) {
        const onDrain = () => {
          dataStream.removeListener('drain', onDrain);
          dataStream.removeListener('close', onDrain);
          done();
        };
        dataStream.once('drain', onDrain);
        dataStream.once('close', onDrain);
      } else {
        return done();
      }
    } else {
      return done();
    }
  } else {
    return done();
  }
}
