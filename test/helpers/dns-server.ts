// A small authoritative DNS server on a loopback UDP port, for the engine's MX lookups,
// DNSBL checks and the console's DNS check: real queries over a real socket (RFC 1035
// wire format), answered from a zone given as records. Unknown names get NXDOMAIN, known
// names without the asked type an empty answer (NODATA), as a real server would.
import dgram from 'node:dgram';

export type Zone = Record<string, { A?: string[]; AAAA?: string[]; MX?: [number, string][]; TXT?: string[] }>;

const TYPES = { A: 1, MX: 15, TXT: 16, AAAA: 28 } as const;

const encodeName = (name: string) =>
  Buffer.concat([...name.replace(/\.$/, '').split('.').filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);

const readName = (msg: Buffer, offset: number): [string, number] => {
  const labels: string[] = [];
  let o = offset;
  for (;;) {
    const len = msg[o]!;
    if (len === 0) return [labels.join('.'), o + 1];
    labels.push(msg.subarray(o + 1, o + 1 + len).toString());
    o += len + 1;
  }
};

const ipv6Bytes = (ip: string) => {
  const [head, tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]));
};

const rdata = (type: number, value: string | [number, string]): Buffer => {
  if (type === TYPES.A) return Buffer.from((value as string).split('.').map(Number));
  if (type === TYPES.AAAA) return ipv6Bytes(value as string);
  if (type === TYPES.MX) {
    const [pref, host] = value as [number, string];
    const b = Buffer.alloc(2);
    b.writeUInt16BE(pref);
    return Buffer.concat([b, encodeName(host)]);
  }
  // One TXT record of character-strings of at most 255 bytes each (a DKIM key is longer).
  const txt = Buffer.from(value as string);
  const parts: Buffer[] = [];
  for (let i = 0; i < txt.length || i === 0; i += 255) {
    const part = txt.subarray(i, i + 255);
    parts.push(Buffer.from([part.length]), part);
  }
  return Buffer.concat(parts);
};

export const startDnsServer = async (zone: Zone) => {
  const lower: Zone = Object.fromEntries(Object.entries(zone).map(([k, v]) => [k.toLowerCase().replace(/\.$/, ''), v]));
  const socket = dgram.createSocket('udp4');
  const queries: { name: string; type: number }[] = [];
  socket.on('message', (msg, rinfo) => {
    const id = msg.readUInt16BE(0);
    const [name, end] = readName(msg, 12);
    const qtype = msg.readUInt16BE(end);
    queries.push({ name, type: qtype });
    const question = msg.subarray(12, end + 4);
    const entry = lower[name.toLowerCase()];
    const typeName = (Object.keys(TYPES) as (keyof typeof TYPES)[]).find((k) => TYPES[k] === qtype);
    const values = (entry && typeName ? (entry[typeName] as (string | [number, string])[] | undefined) : undefined) ?? [];
    const answers = values.map((v) => {
      const data = rdata(qtype, v);
      const head = Buffer.alloc(10);
      head.writeUInt16BE(qtype, 0);
      head.writeUInt16BE(1, 2); // IN
      head.writeUInt32BE(60, 4); // TTL
      head.writeUInt16BE(data.length, 8);
      return Buffer.concat([Buffer.from([0xc0, 12]), head, data]);
    });
    const header = Buffer.alloc(12);
    header.writeUInt16BE(id, 0);
    header.writeUInt16BE(0x8400 | (entry ? 0 : 3), 2); // response, authoritative; RCODE 3 = NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    socket.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const port = socket.address().port;
  /** Adds or replaces a name's records while the server runs (a record published mid-test). */
  const set = (name: string, records: Zone[string]) => {
    lower[name.toLowerCase().replace(/\.$/, '')] = records;
  };
  return { server: `127.0.0.1:${port}`, port, queries, set, close: () => new Promise<void>((r) => socket.close(() => r())), unref: () => socket.unref() };
};

let shared: Promise<string> | undefined;

/**
 * The loopback DNS server every Postern a test starts uses unless the test gives its own: the
 * machine's resolver is not on loopback and must never be asked. Empty zone: every name is
 * NXDOMAIN. One per test process, unref'd so it never keeps the process alive.
 */
export const defaultDnsServer = () =>
  (shared ??= startDnsServer({}).then((d) => {
    d.unref();
    return d.server;
  }));
