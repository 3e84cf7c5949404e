/** The roles a console user can hold, as the users page offers them. */
export const ROLE_OPTIONS: [string, string][] = [
  ['USER', 'User (mailbox)'],
  ['OPERATOR', 'Operator'],
  ['ADMIN', 'Admin'],
];
