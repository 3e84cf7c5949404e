import { z } from 'zod';
import { emailAddressSchema, passwordSchema, roleSchema } from './common';

export const createUserSchema = z.object({
  address: emailAddressSchema,
  password: passwordSchema,
  role: roleSchema.default('USER'),
  hasMailbox: z.boolean().default(true),
  quotaMb: z.coerce.number().int().min(0).max(10_000_000).default(0),
  displayName: z.string().trim().max(100).default(''),
});
export type CreateUserInput = z.input<typeof createUserSchema>;

export const changeOwnPasswordSchema = z
  .object({ currentPassword: z.string().min(1, 'Enter your current password'), newPassword: passwordSchema, confirm: z.string() })
  .refine((v) => v.newPassword === v.confirm, { path: ['confirm'], message: 'The two new passwords differ' })
  .refine((v) => v.newPassword !== v.currentPassword, { path: ['newPassword'], message: 'Choose a password different from the current one' });

export const findUsersSchema = z.object({
  q: z.string().trim().max(200).default(''),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(10).max(200).default(50),
});
