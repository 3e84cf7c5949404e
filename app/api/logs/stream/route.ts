// The delivery log's live tail: Server-Sent Events, one "event" message per new
// DeliveryEvent row, for operators and admins. It asks the database for rows newer than
// the last one sent twice a second (an indexed range on the primary key), and ends when
// the browser goes away or the session stops being valid.
import type { NextRequest } from 'next/server';
import { currentActor } from '@/server/auth/require-role';
import { latestEventId, tailDeliveryEvents } from '@/server/queries/logs';

export const dynamic = 'force-dynamic';

export async function GET(req: NextRequest) {
  const actor = await currentActor();
  if (!actor) return new Response('sign in first', { status: 401 });
  if (actor.role === 'USER') return new Response('operators and admins only', { status: 403 });
  if (actor.mustEnrol) return new Response('set up a second factor first', { status: 403 });
  const after = Number(req.nextUrl.searchParams.get('after'));
  let last = Number.isInteger(after) && after >= 0 ? after : await latestEventId();
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let sinceCheck = 0;
      const send = (s: string) => {
        if (!closed) controller.enqueue(encoder.encode(s));
      };
      const stop = () => {
        if (closed) return;
        closed = true;
        clearInterval(timer);
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      };
      send(`retry: 2000\n: tail after ${last}\n\n`);
      const timer = setInterval(async () => {
        try {
          // Re-check the session every ~10 s: a disabled account or a password change ends the tail.
          if (++sinceCheck >= 20) {
            sinceCheck = 0;
            const still = await currentActor().catch(() => null);
            if (!still || still.role === 'USER') return stop();
          }
          const rows = await tailDeliveryEvents(last);
          for (const r of rows) {
            last = r.id;
            send(`id: ${r.id}\nevent: delivery\ndata: ${JSON.stringify({ ...r, at: r.at.toISOString() })}\n\n`);
          }
          if (!rows.length) send(': keep-alive\n\n');
        } catch {
          stop();
        }
      }, 500);
      req.signal.addEventListener('abort', stop);
    },
  });
  return new Response(stream, { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' } });
}
