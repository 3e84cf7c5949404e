// What one system call costs on this machine right now. On a virtual machine with
// page-table isolation (PTI) every entry into the kernel switches page tables, and a trivial
// call can cost ten times what it does on bare hardware (typically 0.05–0.2 µs). Postfix
// passes each message through several processes that talk over sockets, so it makes
// several times more system calls per message than Postern (README, Performance): the
// price of one is part of what a ratio between the two means, and the bench prints it with
// the results.

/** Nanoseconds per getppid(2), called through process.ppid (which Node does not cache); the best of three rounds. */
export const syscallNs = (n = 200_000) => {
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const t = process.hrtime.bigint();
    let sink = 0;
    for (let i = 0; i < n; i++) sink += process.ppid;
    const ns = Number(process.hrtime.bigint() - t) / n;
    if (sink > 0) best = Math.min(best, ns);
  }
  return best;
};
