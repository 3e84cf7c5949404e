import { z } from 'zod';
import { emailAddressSchema } from './common';

export const createAliasSchema = z.object({
  address: emailAddressSchema,
  targets: z.array(emailAddressSchema).min(1, 'Give at least one target address').max(1000),
});
