// The policy core's public surface: what the engine, the console and the CLI import.
export * from './types';
export { compilePolicy, RESTRICTION_LISTS, type CompileResult } from './compile-policy';
export type { Policy } from './policy';
export { findOpenRelay } from './open-relay-guard';
export { checkConnect, checkHelo, checkMail, checkRecipient, checkData, checkAuth, offeredMechanisms, withFooter } from './check-stage';
export { PARAMETERS, PARAMETER_TABLE, KNOWN_UNSUPPORTED, splitList, parseBool, parseTime } from './parameters';
export { parseMainCf, serializeMainCf, expandValue } from './main-cf';
export { RESTRICTION_TABLE } from './restriction-table';
export { parseCidr, formatCidr, CidrPatternError } from './match/cidr';
export { parseIp } from './match/ip';
