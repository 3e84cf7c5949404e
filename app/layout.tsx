import type { Metadata, Viewport } from 'next';
import './globals.css';

// Every page is rendered per request, so each carries the nonce of its Content-Security-Policy
// (cli/security-headers.ts); a page prerendered at build time would have scripts without one.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: { default: 'Postern', template: '%s · Postern' }, description: 'Postern mail server console' };
export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">{children}</body>
    </html>
  );
}
