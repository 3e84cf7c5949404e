// Entry of the engine's SQLite writer thread: worker threads do not inherit the main
// thread's TypeScript loader, so this registers tsx before loading the worker itself.
import { register } from 'tsx/esm/api';

register();
await import('./sqlite-writer-thread.ts');
