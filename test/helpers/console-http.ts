// The console over plain HTTP from a chosen loopback address, as a script or an attacker
// would drive it: next-auth's credentials sign-in and sign-out, and requests with a cookie.
import http from 'node:http';

export type Jar = { cookie: string };

type Res = { status: number; location: string; body: string; setCookie: string[] };

export const request = (base: string, o: { path: string; method?: string; localAddress?: string; cookie?: string; form?: Record<string, string>; headers?: Record<string, string> }) =>
  new Promise<Res>((resolve, reject) => {
    const url = new URL(base);
    const body = o.form ? new URLSearchParams(o.form).toString() : undefined;
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: o.path,
        method: o.method ?? (body ? 'POST' : 'GET'),
        localAddress: o.localAddress,
        headers: { ...o.headers, ...(o.cookie ? { cookie: o.cookie } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}) },
      },
      (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: String(res.headers.location ?? ''), body: data, setCookie: res.headers['set-cookie'] ?? [] }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });

/** Merges Set-Cookie headers into a Cookie header (a deleted cookie goes). */
const merge = (cookie: string, setCookie: string[]) => {
  const jar = new Map(cookie.split('; ').filter(Boolean).map((c) => [c.slice(0, c.indexOf('=')), c]));
  for (const sc of setCookie) {
    const pair = sc.split(';')[0]!;
    const name = pair.slice(0, pair.indexOf('='));
    if (/=;|=$|Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(sc)) jar.delete(name);
    else jar.set(name, pair);
  }
  return [...jar.values()].join('; ');
};

/** One credentials sign-in from `localAddress`; the cookies it leaves, and whether it signed in. */
export const consoleLogin = async (base: string, localAddress: string, address: string, password: string, headers: Record<string, string> = {}) => {
  const csrf = await request(base, { path: '/api/auth/csrf', localAddress, headers });
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  let cookie = merge('', csrf.setCookie);
  const r = await request(base, { path: '/api/auth/callback/credentials', localAddress, cookie, headers, form: { csrfToken, address, password, callbackUrl: `${base}/dashboard` } });
  cookie = merge(cookie, r.setCookie);
  // A right password for an account with a second factor: no session yet, a challenge instead.
  const challenge = /code=second-factor%3A([\w-]+)/.exec(r.location)?.[1] ?? null;
  return { ok: /authjs\.session-token=/.test(cookie), location: r.location, jar: { cookie } as Jar, challenge };
};

/** The second step of a sign-in: a code (TOTP or recovery) or a WebAuthn assertion for the challenge. */
export const consoleSecondStep = async (base: string, localAddress: string, challenge: string, fields: { code?: string; webauthn?: string }) => {
  const csrf = await request(base, { path: '/api/auth/csrf', localAddress });
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  let cookie = merge('', csrf.setCookie);
  const r = await request(base, { path: '/api/auth/callback/credentials', localAddress, cookie, form: { csrfToken, challenge, ...fields, callbackUrl: `${base}/dashboard` } });
  cookie = merge(cookie, r.setCookie);
  return { ok: /authjs\.session-token=/.test(cookie), location: r.location, jar: { cookie } as Jar };
};

/** The session next-auth reports for these cookies (null when there is none). */
export const sessionOf = async (base: string, jar: Jar) => {
  const r = await request(base, { path: '/api/auth/session', cookie: jar.cookie });
  const s = JSON.parse(r.body || 'null') as { user?: { address?: string } } | null;
  return s?.user?.address ?? null;
};

/** Signs out; `jar` keeps the cookies it had (a copy an attacker could have kept). */
export const consoleLogout = async (base: string, jar: Jar) => {
  const csrf = await request(base, { path: '/api/auth/csrf', cookie: jar.cookie });
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const cookie = merge(jar.cookie, csrf.setCookie);
  return request(base, { path: '/api/auth/signout', cookie, form: { csrfToken, callbackUrl: `${base}/login` } });
};
