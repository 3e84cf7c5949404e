import { redirect } from 'next/navigation';
import { currentActor } from '@/server/auth/require-role';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const actor = await currentActor();
  if (!actor) redirect('/login');
  redirect(actor.role === 'USER' || actor.mustEnrol ? '/account' : '/dashboard');
}
