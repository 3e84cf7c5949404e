#!/usr/bin/env node
// The `postern` command: a thin shell that loads the TypeScript CLI through tsx.
// libuv's thread pool runs Maildir writes and their fsyncs, DNS lookups and argon2id
// verifications; its default of four threads lets a burst of SMTP AUTH stall deliveries.
// Read by libuv at its first use, so it must be set before anything does I/O.
process.env.UV_THREADPOOL_SIZE ??= '16';
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
