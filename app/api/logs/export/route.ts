import { NextResponse, type NextRequest } from 'next/server';
import { currentActor } from '@/server/auth/require-role';
import { findDeliveryEvents, logFilterSchema } from '@/server/queries/logs';

/** Quoted, and defused for spreadsheets: a value from a client (a HELO name, say) must not start a formula. */
const csv = (v: unknown) => {
  const s = String(v ?? '');
  return `"${(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
};

export async function GET(req: NextRequest) {
  const actor = await currentActor();
  if (!actor) return NextResponse.json({ error: 'sign in first' }, { status: 401 });
  if (actor.role === 'USER') return NextResponse.json({ error: 'operators and admins only' }, { status: 403 });
  if (actor.mustEnrol) return NextResponse.json({ error: 'set up a second factor first' }, { status: 403 });
  const parsed = logFilterSchema.safeParse(Object.fromEntries(req.nextUrl.searchParams));
  if (!parsed.success) return NextResponse.json({ error: 'invalid filter' }, { status: 400 });
  const rows = await findDeliveryEvents(parsed.data, 10_000);
  const head = ['at', 'event', 'status', 'queueId', 'lookupId', 'clientAddress', 'helo', 'saslUser', 'sender', 'recipient', 'code', 'enhanced', 'text'];
  const body = [head.join(','), ...rows.map((r) => head.map((h) => csv(h === 'at' ? r.at.toISOString() : (r as Record<string, unknown>)[h])).join(','))].join('\n');
  return new NextResponse(body, { headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="postern-log.csv"', 'cache-control': 'no-store' } });
}
