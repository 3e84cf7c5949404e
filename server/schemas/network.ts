import { z } from 'zod';
import { cidrSchema } from './common';

export const createNetworkSchema = z.object({
  cidr: cidrSchema,
  note: z.string().trim().max(200).default(''),
});
