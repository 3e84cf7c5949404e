// The in-process policy bus: the console publishes "revision N committed" and every engine
// in the same process hears it at once. Lives on globalThis because the Next.js bundle and
// the engine load separate copies of this module in one process. No I/O. Across processes
// and nodes, PostgreSQL carries the same news on POLICY_CHANNEL (NOTIFY at commit, LISTEN
// in every engine: store/policy-listener.ts).
import { EventEmitter } from 'node:events';

/** The PostgreSQL NOTIFY channel a committed revision is announced on. */
export const POLICY_CHANNEL = 'postern_policy';

const KEY = Symbol.for('postern.policy-bus');
type Bus = EventEmitter;
const bus = (): Bus => ((globalThis as Record<symbol, unknown>)[KEY] ??= new EventEmitter().setMaxListeners(100)) as Bus;

export const publishPolicyRevision = (revision: number) => bus().emit('revision', revision);

export const onPolicyRevision = (listener: (revision: number) => void) => {
  bus().on('revision', listener);
  return () => void bus().off('revision', listener);
};
