// Queue ids in Postfix's short style: upper-case hex, unique per node and time, so
// pflogsumm and grep treat them like Postfix's own.
import { randomBytes } from 'node:crypto';

export const newQueueId = () =>
  (Date.now().toString(16) + randomBytes(3).toString('hex')).toUpperCase().slice(-14);

export const newLookupId = () => randomBytes(5).toString('hex').toUpperCase();
