'use client';
import Link from 'next/link';
import { usePathname } from 'next/navigation';

/** A navigation link that marks the current page for screen readers and the eye. */
export const NavLink = ({ href, children }: { href: string; children: React.ReactNode }) => {
  const path = usePathname();
  const current = path === href || path.startsWith(`${href}/`);
  return (
    <Link href={href} aria-current={current ? 'page' : undefined} className={`rounded px-1 hover:text-brand-700 hover:underline ${current ? 'font-semibold text-brand-700' : 'text-slate-700'}`}>
      {children}
    </Link>
  );
};
