// The CPU cost of mail authentication per 2 KB message, in process (DNS answered from memory,
// so only computation is counted): DKIM signing with RSA 2048, with Ed25519, with both, and
// the checks on arrival (SPF + DKIM verification + DMARC) of a signed message.
import { generateKeyPairSync } from 'node:crypto';
import { checkMessage } from '../../mail-engine/mail-auth/check-message';
import { signMessage, type SigningKey } from '../../mail-engine/mail-auth/sign-message';

export type MailAuthCost = { name: string; usPerMessage: number; n: number };

const message = () => {
  const head = `From: <a@bench.example>\r\nTo: <b@example.org>\r\nSubject: bench\r\nDate: ${new Date().toUTCString()}\r\nMessage-ID: <bench@bench.example>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n`;
  return { head, buf: Buffer.from(head + 'x'.repeat(74).concat('\r\n').repeat(25).slice(0, 2048 - head.length)) };
};

/** CPU µs per call (user + system of this process), over `seconds` of calls. */
const measure = async (fn: () => Promise<unknown>, seconds: number) => {
  for (let i = 0; i < 20; i++) await fn(); // warm up
  const start = process.cpuUsage();
  const until = Date.now() + seconds * 1000;
  let n = 0;
  while (Date.now() < until) {
    await fn();
    n++;
  }
  const used = process.cpuUsage(start);
  return { usPerMessage: (used.user + used.system) / n, n };
};

export const runMailAuth = async (o: { seconds: number }): Promise<MailAuthCost[]> => {
  const pem = (k: ReturnType<typeof generateKeyPairSync>['privateKey']) => k.export({ type: 'pkcs8', format: 'pem' }).toString();
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ed = generateKeyPairSync('ed25519');
  const rsaKey: SigningKey = { domain: 'bench.example', selector: 'r', algorithm: 'rsa-sha256', privateKey: pem(rsa.privateKey) };
  const edKey: SigningKey = { domain: 'bench.example', selector: 'e', algorithm: 'ed25519-sha256', privateKey: pem(ed.privateKey) };
  const { head, buf } = message();
  const results: MailAuthCost[] = [];
  const once = await signMessage(buf, head, () => [rsaKey, edKey]);
  if (!('selectors' in once) || (once.headers.match(/^DKIM-Signature:/gm) ?? []).length !== 2) throw new Error(`bench signing made no signatures: ${JSON.stringify(once)}`);
  for (const [name, keys] of [
    ['DKIM sign, RSA 2048', [rsaKey]],
    ['DKIM sign, Ed25519', [edKey]],
    ['DKIM sign, RSA + Ed25519', [rsaKey, edKey]],
  ] as const) {
    results.push({ name, ...(await measure(() => signMessage(buf, head, () => [...keys]), o.seconds)) });
  }
  const signed = await signMessage(buf, head, () => [rsaKey]);
  const incoming = Buffer.concat([Buffer.from('headers' in signed ? signed.headers : ''), buf]);
  const records: Record<string, string[][]> = {
    'bench.example/TXT': [['v=spf1 ip4:127.0.0.1 -all']],
    '_dmarc.bench.example/TXT': [['v=DMARC1; p=reject']],
    'r._domainkey.bench.example/TXT': [[`v=DKIM1; k=rsa; p=${rsa.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`]],
  };
  const resolve = async (name: string, rrtype: string) => {
    const r = records[`${name.toLowerCase()}/${rrtype}`];
    if (!r) throw Object.assign(new Error(`no ${rrtype} for ${name}`), { code: 'ENOTFOUND' });
    return r;
  };
  const check = () => checkMessage(incoming, { sender: 'a@bench.example', ip: '127.0.0.1', helo: 'bench.example', mta: 'mx.example.org', resolve });
  const sample = await check();
  if (sample.facts.dmarc?.result !== 'pass') throw new Error(`bench message did not pass DMARC: ${JSON.stringify(sample.facts)}`);
  results.push({ name: 'checks on arrival (SPF, DKIM, DMARC)', ...(await measure(check, o.seconds)) });
  return results;
};
