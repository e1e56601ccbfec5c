import { addBusinessMinutes, businessMsBetween, type BusinessHours } from './business-time.ts';
import { NO_SLA, type SlaClock, type SlaTerms } from './sla-clock.ts';

/** Terms and the business hours they count in, as a clock is run by. */
export type Timing = { readonly policy: SlaTerms; readonly hours: BusinessHours | null };

/** What a running moment's clock is measured from. */
export type ClockStarts = {
  /** When the moment opened: first response and resolution count from here. */
  readonly openedAt: number;
  /** When the customer's oldest unanswered message arrived (null: no reply owed). */
  readonly awaitingSince: number | null;
};

const MINUTE = 60_000;

type Kind = { readonly due: 'first_response_due' | 'next_response_due' | 'resolution_due'; readonly minutes: 'firstResponseMinutes' | 'nextResponseMinutes' | 'resolutionMinutes' };
const FIRST: Kind = { due: 'first_response_due', minutes: 'firstResponseMinutes' };
const NEXT: Kind = { due: 'next_response_due', minutes: 'nextResponseMinutes' };
const RESOLUTION: Kind = { due: 'resolution_due', minutes: 'resolutionMinutes' };

/**
 * An active moment's clock moved from the terms it ran by (`from`, null: none) to those of
 * another policy (`to`, null: none applies). Met deadlines stay met and deadlines already
 * recorded as breached stay as they were; each deadline still running is set again by `to`'s
 * minutes, from the same start, with the time it spent waiting on the customer still not
 * counting. That time is read off the old deadline (its business time from the start, less its
 * minutes); counted in `to`'s hours when the two policies keep different hours, it is then
 * close rather than exact. A deadline the new terms put in the past is due at once: the sweep
 * records its breach (or, paused, it is recorded now, as pausing would have).
 */
export function switchPolicy(clock: SlaClock, from: Timing | null, to: Timing | null, starts: ClockStarts): SlaClock {
  // No policy applies any more: nothing is due; what was met or breached stays on record.
  if (to === null) return { ...NO_SLA, first_response_at: clock.first_response_at, sla_breached_at: clock.sla_breached_at };
  const pausedAt = clock.sla_paused_at;
  const swept = (due: number) => (pausedAt !== null ? due <= pausedAt : clock.sla_due_at === null || due < clock.sla_due_at);
  const offOf = (kind: Kind, start: number) => {
    const due = clock[kind.due];
    const minutes = from?.policy[kind.minutes] ?? null;
    return due === null || minutes === null ? null : Math.max(0, businessMsBetween(start, due, from!.hours) - minutes * MINUTE);
  };
  // A deadline the old terms did not set takes the waiting time of one that ran from the opening too.
  const openedOff = offOf(FIRST, starts.openedAt) ?? offOf(RESOLUTION, starts.openedAt) ?? 0;
  const running: number[] = [];
  const reset = (kind: Kind, owed: boolean, start: number, inheritedOff: number): number | null => {
    const old = clock[kind.due];
    if (!owed || (old !== null && swept(old))) return old;
    const minutes = to.policy[kind.minutes];
    if (minutes === null) return null;
    const due = addBusinessMinutes(start, minutes + (offOf(kind, start) ?? inheritedOff) / MINUTE, to.hours);
    running.push(due);
    return due;
  };
  const replyStart = Math.min(starts.awaitingSince ?? starts.openedAt, pausedAt ?? Number.POSITIVE_INFINITY);
  const next: SlaClock = {
    ...clock,
    sla_policy_id: to.policy.id,
    first_response_due: reset(FIRST, clock.first_response_at === null, starts.openedAt, openedOff),
    next_response_due: reset(NEXT, clock.first_response_at !== null && (clock.next_response_due !== null || starts.awaitingSince !== null), replyStart, 0),
    resolution_due: reset(RESOLUTION, true, starts.openedAt, openedOff),
  };
  if (pausedAt !== null) {
    const passed = running.filter((due) => due <= pausedAt);
    return { ...next, sla_breached_at: clock.sla_breached_at ?? (passed.length > 0 ? Math.min(...passed) : null) };
  }
  return { ...next, sla_due_at: running.length > 0 ? Math.min(...running) : null };
}
