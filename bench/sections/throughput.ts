// Sections 1 and 2: acceptance and delivery throughput, Postern beside Postfix in the same
// run and under the same load (smtp-source), to one local Maildir or to a relayhost
// (smtp-sink). For each system: messages/s accepted and delivered, p50/p99 of whole
// transactions timed by a probe session during the load, CPU seconds per 1,000 messages
// (all threads or processes of the system) and peak resident memory.
import { peakRss, treeCpuMs } from '../lib/proc';
import { countNew, smtpSource, startProbe, startSmtpSink, waitForCount } from '../lib/load';
import { RECIPIENT, startPostfixSystem, startPosternSystem, type Mode, type System } from '../lib/systems';

export type ThroughputResult = {
  system: string;
  target: 'maildir' | 'relay';
  size: number;
  sessions: number;
  messages: number;
  acceptPerS: number;
  deliverPerS: number;
  p50Ms: number;
  p99Ms: number;
  cpuSPer1000: number;
  peakRssMb: number;
};

const once = async (sys: System, target: 'maildir' | 'relay', delivered: () => number, size: number, sessions: number, messages: number): Promise<ThroughputResult> => {
  const before = delivered();
  const cpu0 = treeCpuMs(sys.pid);
  const rss = peakRss(sys.pid);
  const probe = startProbe({ port: sys.port, to: RECIPIENT, size });
  const t0 = performance.now();
  const acceptMs = await smtpSource({ port: sys.port, sessions, messages, size, to: RECIPIENT });
  const p = await probe.stop();
  const total = messages + p.count;
  const deliverMs = await waitForCount(delivered, before + total, t0);
  const cpuMs = treeCpuMs(sys.pid) - cpu0;
  return {
    system: sys.name,
    target,
    size,
    sessions,
    messages,
    acceptPerS: messages / (acceptMs / 1000),
    deliverPerS: total / (deliverMs / 1000),
    p50Ms: p.p50,
    p99Ms: p.p99,
    cpuSPer1000: cpuMs / total,
    peakRssMb: rss.stop() / 1048576,
  };
};

/** Every (size × sessions) pair on both systems; the order alternates so drift hurts neither. */
const meanOf = (runs: ThroughputResult[]): ThroughputResult => {
  const mean = (k: keyof ThroughputResult) => runs.reduce((n, r) => n + (r[k] as number), 0) / runs.length;
  return { ...runs[0]!, acceptPerS: mean('acceptPerS'), deliverPerS: mean('deliverPerS'), p50Ms: mean('p50Ms'), p99Ms: mean('p99Ms'), cpuSPer1000: mean('cpuSPer1000'), peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)) };
};

export const runThroughput = async (o: { target: 'maildir' | 'relay'; sizes: number[]; sessions: number[]; messages: number; repeat: number; log: (s: string) => void }) => {
  const results: ThroughputResult[] = [];
  for (const size of o.sizes) {
    const sink = o.target === 'relay' ? await startSmtpSink() : undefined;
    const mode: Mode = sink ? { kind: 'relay', relayPort: sink.port } : { kind: 'maildir' };
    const counter = (sys: System) => (sink ? () => sink.count() : () => countNew(sys.maildir));
    let postern: System | undefined;
    let postfix: System | undefined;
    try {
      postern = await startPosternSystem(mode);
      postfix = await startPostfixSystem(mode);
      // Warm-up, not measured: JIT compilation and caches for Postern, the process pool for Postfix.
      for (const sys of [postern, postfix]) await once(sys, o.target, counter(sys), size, 10, Math.min(2000, o.messages));
      for (const sessions of o.sessions) {
        // A B B A: each system runs as often first as last, so drift (the file system's
        // state above all) weighs on both alike; the reported figures are the means.
        const runs: ThroughputResult[] = [];
        const order = o.repeat > 1 ? [postern, postfix, postfix, postern] : [postern, postfix];
        for (let k = 0; k < o.repeat; k += 2) {
          for (const sys of order) {
            o.log(`  ${o.target} ${size} B, ${sessions} session(s): ${sys.name}…`);
            runs.push(await once(sys, o.target, counter(sys), size, sessions, o.messages));
          }
        }
        for (const name of ['Postern', 'Postfix']) results.push(meanOf(runs.filter((r) => r.system === name)));
      }
    } finally {
      await postern?.stop();
      await postfix?.stop();
      sink?.stop();
    }
  }
  return results;
};
