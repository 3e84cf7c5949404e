// Queue ids in Postfix's short style: upper-case hex, unique per node and time, so
// pflogsumm and grep treat them like Postfix's own: the time in milliseconds, then a
// counter that starts at a random point (unique within the process; the random start and
// the clock keep nodes apart).
import { randomBytes } from 'node:crypto';

let counter = randomBytes(3).readUIntBE(0, 3);

export const newQueueId = () => {
  counter = (counter + 1) & 0xffffff;
  return (Date.now().toString(16) + counter.toString(16).padStart(6, '0')).toUpperCase().slice(-14);
};

/** The id smtpd_reject_footer's $lookup_id shows; random, so it cannot be guessed or enumerated. */
export const newLookupId = () => randomBytes(5).toString('hex').toUpperCase();
