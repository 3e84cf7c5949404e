import { z } from 'zod';
import { domainNameSchema } from './common';

export const createDomainSchema = z.object({
  name: domainNameSchema,
  kind: z.enum(['LOCAL', 'RELAY'], { message: 'Choose local or relay' }),
  description: z.string().trim().max(200).default(''),
});
export type CreateDomainInput = z.input<typeof createDomainSchema>;

export const updateDomainSchema = z.object({
  id: z.coerce.number().int().positive(),
  kind: z.enum(['LOCAL', 'RELAY']).optional(),
  active: z.boolean().optional(),
  description: z.string().trim().max(200).optional(),
});
