// Sizes the console accepts in one form (shared by the forms, which say so, and the actions).
export const MAIN_CF_LIMIT = 262_144;
