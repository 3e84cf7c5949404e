// What every `postern` command is made of: its table entry and a few shared helpers.
import type { ParseArgsConfig } from 'node:util';
import type { Db } from '../prisma/client';

export class UsageError extends Error {}

export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;
export type Args = { db: Db; values: Values; positionals: string[] };

export type Command = {
  usage: string;
  options?: ParseArgsConfig['options'];
  /** Positional arguments after the command words: [at least, at most]. */
  positionals: [number, number];
  /**
   * 'none': no database (or its own handling); 'read': an existing, migrated database, never
   * created or changed; 'write': migrations and first-run set-up first, as `postern serve` does.
   */
  access: 'none' | 'read' | 'write';
  run(a: Args): Promise<number>;
};

export const out = (s: string) => process.stdout.write(`${s}\n`);

export const readStdin = async () => {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
};

export const str = (v: Values, k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
