// The SMTP server certificate: smtpd_tls_cert_file/smtpd_tls_key_file when set, otherwise a
// self-signed certificate for $myhostname generated once (openssl) under <dataDir>/tls.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';

export type TlsMaterial = { key: Buffer; cert: Buffer; source: 'configured' | 'self-signed'; subject: string; validTo: string; path: string };

export const loadTlsMaterial = (o: { dataDir: string; certFile: string; keyFile: string; hostname: string }): TlsMaterial => {
  let certPath = o.certFile;
  let keyPath = o.keyFile || o.certFile;
  let source: TlsMaterial['source'] = 'configured';
  if (!certPath) {
    const dir = path.join(o.dataDir, 'tls');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const safe = o.hostname.replace(/[^A-Za-z0-9.-]/g, '_');
    certPath = path.join(dir, `selfsigned-${safe}.crt`);
    keyPath = path.join(dir, `selfsigned-${safe}.key`);
    source = 'self-signed';
    if (!existsSync(certPath) || !existsSync(keyPath)) {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '825',
        '-subj', `/CN=${o.hostname}`, '-addext', `subjectAltName=DNS:${o.hostname}`,
        '-keyout', keyPath, '-out', certPath,
      ], { stdio: 'ignore' });
    }
  }
  const cert = readFileSync(certPath);
  const key = readFileSync(keyPath);
  const x = new X509Certificate(cert);
  return { key, cert, source, subject: x.subject.replace(/\n/g, ', '), validTo: x.validTo, path: certPath };
};
