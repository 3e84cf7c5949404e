// Real SMTP clients: swaks and Python's smtplib (Debian's), run as child processes.
import { execFile } from 'node:child_process';

export type RunResult = { code: number; stdout: string; stderr: string };

export const run = (cmd: string, args: string[], input?: string, timeoutMs = 60_000) =>
  new Promise<RunResult>((resolve) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 10 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
    if (input !== undefined) {
      child.stdin!.write(input);
      child.stdin!.end();
    }
  });

export const swaks = (args: string[]) => run('swaks', ['--timeout', '20', ...args]);

/** Sends one message with smtplib; prints the reply of every step as "STEP code text". */
export const pythonSmtp = (o: { port: number; source?: string; from: string; to: string[]; body: string; starttls?: boolean; login?: [string, string] }) =>
  run('python3', ['-c', PY], JSON.stringify(o));

const PY = String.raw`
import json, smtplib, ssl, sys
o = json.load(sys.stdin)
s = smtplib.SMTP('127.0.0.1', o['port'], source_address=(o.get('source') or '127.0.0.1', 0), timeout=20)
print('EHLO', *s.ehlo('python.example'))
if o.get('starttls'):
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    print('STARTTLS', *s.starttls(context=ctx)); s.ehlo('python.example')
if o.get('login'):
    try:
        print('AUTH', *s.login(*o['login']))
    except smtplib.SMTPAuthenticationError as e:
        print('AUTH', e.smtp_code, e.smtp_error)
try:
    print('MAIL', *s.mail(o['from']))
    for r in o['to']:
        print('RCPT', *s.rcpt(r))
    print('DATA', *s.data(o['body'].encode()))
except smtplib.SMTPException as e:
    print('ERROR', e)
s.quit()
`;
