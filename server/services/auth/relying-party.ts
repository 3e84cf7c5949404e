// The console's own origin, for WebAuthn and redirects: AUTH_URL when the operator set it,
// else the request's Host (cli/serve.ts drops X-Forwarded-Host/-Proto unless a trusted proxy
// sent them, so a client cannot name another origin for itself).
export type RelyingParty = { origin: string; rpId: string };

export const relyingParty = (headers: Headers): RelyingParty => {
  const configured = process.env.AUTH_URL;
  if (configured) {
    const u = new URL(configured);
    return { origin: u.origin, rpId: u.hostname };
  }
  const host = headers.get('x-forwarded-host') ?? headers.get('host') ?? 'localhost';
  const proto = headers.get('x-forwarded-proto') === 'https' ? 'https' : 'http';
  const u = new URL(`${proto}://${host}`);
  return { origin: u.origin, rpId: u.hostname };
};
