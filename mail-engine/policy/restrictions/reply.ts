// Building Postfix replies. Pure. The enhanced status code's class follows the reply code
// (a 450 with detail 5.7.1 is sent as 4.7.1), as smtpd_check_reject() does.
import type { SmtpReply, Verdict } from '../types';

export const enhancedFor = (code: number, detail: string) => `${String(code)[0]}${detail.slice(1)}`;

export const reply = (code: number, detail: string, text: string): SmtpReply => ({
  code,
  enhanced: enhancedFor(code, detail),
  text,
});

/** A reject or defer verdict, chosen by the reply code's class. */
export const refuse = (by: string, fact: string, code: number, detail: string, text: string): Verdict =>
  code >= 500
    ? { kind: 'reject', by, fact, reply: reply(code, detail, text) }
    : { kind: 'defer', by, fact, reply: reply(code, detail, text) };

export const DUNNO: Verdict = { kind: 'dunno' };
