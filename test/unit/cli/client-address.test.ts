// The console's client address: the socket's, or — from a proxy the operator trusts — the
// client X-Forwarded-For names (its rightmost entry that is not itself a trusted proxy).
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { CLIENT_HEADER, clientAddressOf, stampClientAddress, trustedProxies } from '../../../cli/client-address';

const req = (peer: string, xff?: string, extra: Record<string, string> = {}) =>
  ({ socket: { remoteAddress: peer }, headers: { ...(xff ? { 'x-forwarded-for': xff } : {}), ...extra } }) as unknown as IncomingMessage;

describe('client address of a console request', () => {
  const none = trustedProxies(undefined);
  const proxies = trustedProxies('127.0.15.1/32, 10.0.0.0/8');

  it('is the socket address when the peer is not a trusted proxy, whatever the headers say', () => {
    expect(clientAddressOf(req('::ffff:127.0.14.1', '198.51.100.7'), none)).toBe('127.0.14.1');
    expect(clientAddressOf(req('192.0.2.9', '198.51.100.7'), proxies)).toBe('192.0.2.9');
  });

  it('follows X-Forwarded-For from a trusted proxy, skipping proxies, never trusting what the client prepended', () => {
    expect(clientAddressOf(req('127.0.15.1', '198.51.100.7'), proxies)).toBe('198.51.100.7');
    expect(clientAddressOf(req('127.0.15.1', '203.0.113.66, 198.51.100.7, 10.1.2.3'), proxies)).toBe('198.51.100.7');
    expect(clientAddressOf(req('127.0.15.1'), proxies)).toBe('127.0.15.1');
  });

  it('replaces a client-supplied X-Postern-Client header', () => {
    const r = req('127.0.14.9', undefined, { [CLIENT_HEADER]: '203.0.113.1' });
    stampClientAddress(r, none);
    expect(r.headers[CLIENT_HEADER]).toBe('127.0.14.9');
  });

  it('refuses a proxy list that is not CIDRs', () => {
    expect(() => trustedProxies('proxy.example.com')).toThrow();
  });
});
