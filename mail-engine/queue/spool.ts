// The durable spool: one file per message, written to a temporary name, fsync'd, renamed
// into place and the directory fsync'd, so a message is on disk before its 250. The first
// line holds the envelope as JSON, which makes the spool self-describing: after a crash,
// a spool file whose queue rows never committed is re-queued from it (recoverOrphans).
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export type SpoolEnvelope = {
  queueId: string;
  sender: string;
  recipients: { address: string; original: string }[];
  clientAddress: string;
  clientName: string;
  helo: string;
  saslUser: string;
  protocol: string;
  receivedAt: string;
};

export const spoolPathFor = (spoolDir: string, queueId: string) => path.join(spoolDir, queueId.slice(-2), `${queueId}.msg`);

const fsyncDir = (dir: string) => {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
};

export const writeSpoolFile = (spoolDir: string, env: SpoolEnvelope, body: Buffer[]): string => {
  const final = spoolPathFor(spoolDir, env.queueId);
  const dir = path.dirname(final);
  mkdirSync(dir, { recursive: true });
  const tmp = `${final}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(env)}\n`);
    for (const chunk of body) writeSync(fd, chunk);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, final);
  fsyncDir(dir);
  return final;
};

export const readSpoolFile = (file: string): { envelope: SpoolEnvelope; message: Buffer } => {
  const buf = readFileSync(file);
  const nl = buf.indexOf(0x0a);
  return { envelope: JSON.parse(buf.subarray(0, nl).toString('utf8')) as SpoolEnvelope, message: buf.subarray(nl + 1) };
};

export const removeSpoolFile = (file: string) => {
  try {
    unlinkSync(file);
  } catch {
    /* already gone */
  }
};

/** Every spool file, for crash recovery; temporary files of interrupted writes are removed. */
export const listSpoolFiles = (spoolDir: string): string[] => {
  const out: string[] = [];
  let subdirs: string[] = [];
  try {
    subdirs = readdirSync(spoolDir);
  } catch {
    return out;
  }
  for (const sub of subdirs) {
    const dir = path.join(spoolDir, sub);
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      if (n.endsWith('.tmp')) removeSpoolFile(path.join(dir, n));
      else if (n.endsWith('.msg')) out.push(path.join(dir, n));
    }
  }
  return out;
};
