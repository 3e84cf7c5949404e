import Link from 'next/link';
import type { Role } from '@/server/services/actor';
import { logoutAction } from '@/server/actions/auth';
import { NavLink } from './nav-link';

const LINKS: { href: string; label: string; min: Role }[] = [
  { href: '/dashboard', label: 'Dashboard', min: 'OPERATOR' },
  { href: '/logs', label: 'Delivery log', min: 'OPERATOR' },
  { href: '/queue', label: 'Queue', min: 'OPERATOR' },
  { href: '/domains', label: 'Domains', min: 'ADMIN' },
  { href: '/networks', label: 'Trusted networks', min: 'ADMIN' },
  { href: '/users', label: 'Users & aliases', min: 'ADMIN' },
  { href: '/settings', label: 'SMTP settings', min: 'ADMIN' },
  { href: '/restrictions', label: 'Restrictions', min: 'ADMIN' },
  { href: '/policy', label: 'Policy', min: 'OPERATOR' },
  { href: '/audit', label: 'Audit log', min: 'ADMIN' },
  { href: '/security', label: 'Security', min: 'ADMIN' },
  { href: '/account', label: 'My account', min: 'USER' },
];
const RANK: Record<Role, number> = { USER: 0, OPERATOR: 1, ADMIN: 2 };

export const ConsoleNav = ({ address, role }: { address: string; role: Role }) => (
  <header className="border-b border-slate-200 bg-white">
    <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
      <Link href="/" className="font-semibold text-brand-700">
        Postern
      </Link>
      <nav aria-label="Main" className="flex flex-wrap gap-x-3 gap-y-1 text-sm">
        {LINKS.filter((l) => RANK[role] >= RANK[l.min]).map((l) => (
          <NavLink key={l.href} href={l.href}>
            {l.label}
          </NavLink>
        ))}
      </nav>
      <form action={logoutAction} className="ml-auto flex items-center gap-2 text-sm">
        <span className="text-slate-600">
          {address} <span className="text-xs uppercase text-slate-500">({role.toLowerCase()})</span>
        </span>
        <button type="submit" className="rounded px-2 py-1 text-slate-700 ring-1 ring-slate-300 hover:bg-slate-100">
          Sign out
        </button>
      </form>
    </div>
  </header>
);
