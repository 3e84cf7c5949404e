// The console's Content-Security-Policy, with a fresh nonce per request. Next.js reads the
// nonce from the request's own Content-Security-Policy header and puts it on the scripts it
// renders (every page is rendered per request: app/layout.tsx), so no inline script runs
// without it. Styles may be inline (React style attributes); nothing may frame the console.
// HSTS is sent only when the request came over HTTPS (a TLS proxy in front says so).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const contentSecurityPolicy = (nonce: string, dev = false) =>
  [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${dev ? ' ws: wss:' : ''}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');

/** `https`: a trusted proxy says the request came over HTTPS. */
export const applySecurityHeaders = (req: IncomingMessage, res: ServerResponse, o: { dev?: boolean; https: boolean }) => {
  const csp = contentSecurityPolicy(randomBytes(16).toString('base64'), o.dev);
  req.headers['content-security-policy'] = csp;
  res.setHeader('Content-Security-Policy', csp);
  if (o.https) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
};

/**
 * Server actions (and the form posts that stand for them without JavaScript) must carry an
 * Origin, and it must be the console's own: the public URL when AUTH_URL names it, else the
 * request's Host. Next.js alone lets a request without Origin through. Returns why a request
 * is refused, or undefined.
 */
export const refuseCrossOrigin = (req: IncomingMessage, publicUrl: string | undefined, https: boolean): string | undefined => {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return undefined;
  const path = (req.url ?? '/').split('?')[0]!;
  const type = String(req.headers['content-type'] ?? '');
  const isAction = req.headers['next-action'] !== undefined || (!path.startsWith('/api/') && /^(multipart\/form-data|application\/x-www-form-urlencoded)/.test(type));
  if (!isAction) return undefined;
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return 'a server action without an Origin header';
  const expected = publicUrl ? new URL(publicUrl).origin : `${https ? 'https' : 'http'}://${req.headers.host ?? ''}`;
  return origin === expected ? undefined : `a server action from ${origin.slice(0, 100)}, not ${expected}`;
};
