// The ordered restriction loop (Postfix generic_checks()): evaluate a list in order;
// the first restriction that does not answer DUNNO decides the list; an exhausted list
// answers DUNNO (the caller treats that as "this list permits"). Pure.
import type { Policy } from './policy';
import { LIST_REPLY } from './restriction-table';
import type { ListName } from './restrictions/context';
import type { StageContext, TraceStep, Verdict } from './types';

export const replyNaming = (list: ListName, ctx: StageContext): { replyName: string; replyClass: string } => {
  switch (LIST_REPLY[list]) {
    case 'client':
      return { replyName: `${ctx.clientName}[${ctx.clientAddress}]`, replyClass: 'Client host' };
    case 'helo':
      return { replyName: ctx.helo ?? '', replyClass: 'Helo command' };
    case 'sender':
      return { replyName: ctx.sender ?? '', replyClass: 'Sender address' };
    case 'recipient':
      return { replyName: ctx.recipient ?? '', replyClass: 'Recipient address' };
    default:
      return { replyName: 'DATA', replyClass: 'Data command' };
  }
};

export const evaluateRestrictions = (policy: Policy, list: ListName, ctx: StageContext, trace: TraceStep[]): Verdict => {
  const items = policy.lists[list];
  if (!items.length) return { kind: 'dunno' };
  const { replyName, replyClass } = replyNaming(list, ctx);
  for (const item of items) {
    const { verdict, fact } = item.fn({ policy, ctx, list, arg: item.arg, replyName, replyClass });
    trace.push({ list, restriction: item.label, fact });
    if (verdict.kind !== 'dunno') return verdict;
  }
  return { kind: 'dunno' };
};
