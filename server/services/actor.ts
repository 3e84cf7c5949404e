import { AppError } from '../errors/app-error';

export type Role = 'ADMIN' | 'OPERATOR' | 'USER';
export type Actor = { address: string; role: Role };

export const CLI_ACTOR: Actor = { address: 'cli', role: 'ADMIN' };

const RANK: Record<Role, number> = { USER: 0, OPERATOR: 1, ADMIN: 2 };

/** Services re-check the role even though actions already did: defense in depth. */
export const assertRole = (actor: Actor, needed: Role) => {
  if (RANK[actor.role] < RANK[needed]) throw new AppError('FORBIDDEN', `This needs the ${needed.toLowerCase()} role.`);
};
