// Queue ids in Postfix's short style: upper-case hex, unique per node and time, so
// pflogsumm and grep treat them like Postfix's own: the time in milliseconds, then a
// counter that starts at a random point (unique within the process; the random start and
// the clock keep nodes apart).
import { randomBytes, randomFillSync } from 'node:crypto';

let counter = randomBytes(3).readUIntBE(0, 3);

export const newQueueId = () => {
  counter = (counter + 1) & 0xffffff;
  return (Date.now().toString(16) + counter.toString(16).padStart(6, '0')).toUpperCase().slice(-14);
};

// Random bytes drawn from a pool refilled 4 KB at a time: one call into the CSPRNG per 800
// ids instead of one per connection and one per transaction.
const pool = Buffer.alloc(4000);
let used = pool.length;

/** The id smtpd_reject_footer's $lookup_id shows; random, so it cannot be guessed or enumerated. */
export const newLookupId = () => {
  if (used + 5 > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += 5;
  return pool.toString('hex', used - 5, used).toUpperCase();
};
