import { ConsoleNav } from '@/components/layout/console-nav';
import { requireRole } from '@/server/auth/require-role';

export const dynamic = 'force-dynamic';

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const actor = await requireRole('USER', { enrolment: true });
  return (
    <>
      <ConsoleNav address={actor.address} role={actor.role} />
      <main className="mx-auto max-w-6xl space-y-4 p-4">{children}</main>
    </>
  );
}
