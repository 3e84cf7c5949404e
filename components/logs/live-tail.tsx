'use client';
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';

type Row = { id: number; at: string; event: string; status: string; queueId: string; lookupId: string; clientAddress: string; sender: string; recipient: string; code: number; enhanced: string; text: string };

/** New delivery-log events as they happen (Server-Sent Events), newest on top, up to 200. */
export const LiveTail = () => {
  const [rows, setRows] = useState<Row[]>([]);
  const [state, setState] = useState<'connecting' | 'live' | 'paused' | 'reconnecting'>('connecting');
  const source = useRef<EventSource | null>(null);
  const last = useRef<number | undefined>(undefined);
  const open = () => {
    const es = new EventSource(`/api/logs/stream${last.current !== undefined ? `?after=${last.current}` : ''}`);
    source.current = es;
    es.onopen = () => setState('live');
    es.onerror = () => setState('reconnecting');
    es.addEventListener('delivery', (e) => {
      const row = JSON.parse((e as MessageEvent<string>).data) as Row;
      last.current = row.id;
      setRows((rs) => [row, ...rs].slice(0, 200));
    });
  };
  useEffect(() => {
    open();
    return () => source.current?.close();
  }, []);
  return (
    <div>
      <div className="mb-2 flex items-center gap-3 text-sm">
        <span role="status" aria-live="polite" className={state === 'live' ? 'text-ok' : 'text-warn'}>
          {state === 'live' ? '● live' : state}
        </span>
        <button
          type="button"
          className="rounded px-2 py-1 ring-1 ring-slate-300"
          onClick={() => {
            if (state === 'paused') open();
            else {
              source.current?.close();
              setState('paused');
            }
          }}
        >
          {state === 'paused' ? 'Resume' : 'Pause'}
        </button>
        <span className="text-slate-600">{rows.length} new event(s)</span>
      </div>
      <div className="max-h-96 overflow-y-auto">
        <table className="w-full text-left text-xs" aria-label="live events">
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} className="border-b align-top" data-event={r.event}>
                <td className="whitespace-nowrap py-1 pr-2 font-mono">{r.at.slice(11, 19)}</td>
                <td className="pr-2">{r.event}</td>
                <td className="pr-2 font-mono">
                  {r.queueId || r.lookupId ? <Link href={`/logs/${r.queueId || r.lookupId}`}>{r.queueId || r.lookupId}</Link> : null}
                </td>
                <td className="pr-2 font-mono">{r.clientAddress}</td>
                <td className="pr-2">{r.sender}</td>
                <td className="pr-2">{r.recipient}</td>
                <td>
                  {r.code ? `${r.code} ${r.enhanced} ` : ''}
                  {r.text}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
};
