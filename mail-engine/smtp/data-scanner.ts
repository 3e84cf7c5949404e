// smtp-server's SMTPStream._feedDataStream (version pinned in package.json), with one change:
// the search for a line that starts with a dot (the end of data, "\r\n.\r\n", or an escape
// dot, "\n..") uses Buffer#indexOf, which runs natively over the chunk, instead of a
// JavaScript loop that visits every byte of every message (a sixth of the event loop's
// time with 100 KB messages). Everything else is the original, statement for statement,
// including its defences against smuggling through TCP segmentation; a differential test
// (test/unit/mail-engine/smtp/data-scanner.test.ts) feeds both versions the same bytes in
// the same random chunks and requires the same message and the same commands after it.
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
  // An escape dot as the first character.
  if (this._atDataStart && len >= 2 && chunk[0] === 0x2e && chunk[1] === 0x2e) {
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
    if (chunk[i + 1] === 0x2e) {
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
