// The argument every restriction receives. Pure types only.
import type { Policy } from '../compile-policy';
import type { StageContext, Verdict } from '../types';

export type ListName =
  | 'smtpd_client_restrictions'
  | 'smtpd_helo_restrictions'
  | 'smtpd_sender_restrictions'
  | 'smtpd_relay_restrictions'
  | 'smtpd_recipient_restrictions'
  | 'smtpd_data_restrictions';

export type RestrictionContext = {
  policy: Policy;
  ctx: StageContext;
  list: ListName;
  arg?: string;
  /** What a generic reject names and calls it: "<unknown[1.2.3.4]>" / "Client host". */
  replyName: string;
  replyClass: string;
};

/** Facts about restrictions that evaluate to DUNNO still belong in the trace. */
export type TracedVerdict = { verdict: Verdict; fact: string };
export type TracedRestriction = (r: RestrictionContext) => TracedVerdict;
