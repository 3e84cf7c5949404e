// CPU time and memory of a process tree from /proc (Linux): the Postern process with its
// threads, or a Postfix master with every daemon it runs — including the ones that exited
// (their time is in the master's cutime/cstime once it has reaped them).
import { readFileSync, readdirSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ = 100 on Linux

type Stat = { pid: number; ppid: number; utime: number; stime: number; cutime: number; cstime: number; rssPages: number };

const readStat = (pid: number): Stat | undefined => {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]), rssPages: Number(f[21]) };
  } catch {
    return undefined;
  }
};

const allStats = () => {
  const out: Stat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
};

/** The tree rooted at pid (pid included). */
const tree = (pid: number, stats = allStats()) => {
  const children = new Map<number, Stat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const root = stats.find((s) => s.pid === pid);
  if (!root) return [];
  const out: Stat[] = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!.pid) ?? []));
  return out;
};

/** CPU milliseconds (user + system) used so far by the tree, exited children included. */
export const treeCpuMs = (pid: number) => {
  const t = tree(pid);
  let ticks = 0;
  for (const s of t) ticks += s.utime + s.stime + s.cutime + s.cstime;
  return ticks * TICK_MS;
};

/** Resident memory of the whole tree, in bytes. */
export const treeRssBytes = (pid: number) => tree(pid).reduce((n, s) => n + s.rssPages * 4096, 0);

/** Samples the tree's RSS every 100 ms; stop() returns the peak. */
export const peakRss = (pid: number) => {
  let peak = treeRssBytes(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssBytes(pid));
  }, 100);
  return {
    stop: () => {
      clearInterval(timer);
      return Math.max(peak, treeRssBytes(pid));
    },
  };
};

export const rssBytes = (pid: number) => (readStat(pid)?.rssPages ?? 0) * 4096;
