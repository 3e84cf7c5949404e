// The argument every restriction receives (defined with the Policy type in ../policy.ts).
export type { ListName, RestrictionContext, TracedRestriction, TracedVerdict } from '../policy';
