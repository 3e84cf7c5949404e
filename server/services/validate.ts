import type { z } from 'zod';
import { AppError } from '../errors/app-error';
import { fieldErrorsOf } from '../schemas/common';

export const parseInput = <S extends z.ZodType>(schema: S, input: unknown): z.output<S> => {
  const r = schema.safeParse(input);
  if (!r.success) {
    const fieldErrors = fieldErrorsOf(r.error);
    throw new AppError('INVALID_INPUT', Object.values(fieldErrors).flat()[0] ?? 'Invalid input', fieldErrors);
  }
  return r.data;
};
