import type { Metadata } from 'next';
import { LoginForm } from '@/components/auth/login-form';
import { safeNext } from '@/server/auth/require-role';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  const next = safeNext((await searchParams).next);
  return (
    <main className="flex min-h-screen items-center justify-center p-4">
      <div className="w-full max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="mb-1 text-xl font-semibold">Postern</h1>
        <p className="mb-6 text-sm text-slate-600">Sign in with your mail address. Admins manage the server; everyone can change their own password.</p>
        <LoginForm next={next} />
      </div>
    </main>
  );
}
