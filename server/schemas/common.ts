import { z } from 'zod';
import * as commonPasswordLists from '@zxcvbn-ts/language-common';
import { parseCidr } from '../../mail-engine/policy/match/cidr';
import { isValidHostname } from '../../mail-engine/policy/match/domain';

export const domainNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'Enter a domain name')
  .max(253)
  .refine((d) => isValidHostname(d) && !d.endsWith('.'), 'Not a valid domain name (letters, digits, hyphens and dots)');

export const emailAddressSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(320)
  .regex(/^[^\s@"<>()[\],;:\\]+@[^\s@]+$/, 'Enter an address such as user@example.com')
  .refine((a) => isValidHostname(a.slice(a.lastIndexOf('@') + 1)), 'The domain part is not a valid domain name');

export const cidrSchema = z
  .string()
  .trim()
  .min(1, 'Enter a network such as 192.0.2.0/24')
  .transform((v, ctx) => {
    try {
      const e = parseCidr(v);
      if (e.negate) {
        ctx.addIssue({ code: 'custom', message: 'Exclusions ("!") are set in the mynetworks parameter, not as a trusted network' });
        return z.NEVER;
      }
      return e;
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

export const roleSchema = z.enum(['ADMIN', 'OPERATOR', 'USER']);

/** 10+ characters, not just one kind of character, not the address itself. */
/** The ~49,000 most common passwords (zxcvbn-ts's list), loaded on first use. */
let common: Set<string> | undefined;
const isCommonPassword = (p: string) => {
  common ??= new Set((commonPasswordLists.dictionary['passwords-common'] as string[]).map((w) => w.toLowerCase()));
  return common.has(p.toLowerCase());
};

export const passwordSchema = z
  .string()
  .min(10, 'Use at least 10 characters')
  .max(1024, 'At most 1024 characters')
  .refine((p) => new Set(p).size >= 4, 'Use a less repetitive password')
  .refine((p) => /[^A-Za-z]/.test(p) || p.length >= 16, 'Add a digit or symbol, or use 16+ characters')
  .refine((p) => !isCommonPassword(p), 'This is one of the most common passwords: choose another');

export const fieldErrorsOf = (e: z.ZodError) => {
  const out: Record<string, string[]> = {};
  for (const issue of e.issues) {
    const key = issue.path.join('.') || 'form';
    (out[key] ??= []).push(issue.message);
  }
  return out;
};
