#!/usr/bin/env node
// The `postern` command: a thin shell that loads the TypeScript CLI through tsx.
// libuv's thread pool runs file writes and their fsyncs (queued deliveries, mail.log, all
// Maildir deliveries on PostgreSQL), DNS lookups and argon2id verifications; its default of
// four threads would let a burst of SMTP AUTH stall deliveries. libuv reads
// UV_THREADPOOL_SIZE when the pool is first used, which is why this file is CommonJS: an ES
// module entry is itself read through the pool before its first line runs, so setting the
// variable there (as this file did when it was postern.mjs) changed nothing.
process.env.UV_THREADPOOL_SIZE ||= '16';
import('tsx/esm/api')
  .then(({ register }) => {
    register();
    return import('../cli/main.ts');
  })
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
