import type { ButtonHTMLAttributes } from 'react';

const VARIANTS = {
  primary: 'bg-brand-600 text-white hover:bg-brand-700 disabled:bg-slate-400',
  secondary: 'bg-white text-slate-800 ring-1 ring-slate-300 hover:bg-slate-100',
  danger: 'bg-bad text-white hover:bg-red-800',
} as const;

export const Button = ({ variant = 'primary', className = '', ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: keyof typeof VARIANTS }) => (
  <button className={`inline-flex items-center justify-center rounded-md px-3 py-2 text-sm font-medium ${VARIANTS[variant]} ${className}`} {...props} />
);
