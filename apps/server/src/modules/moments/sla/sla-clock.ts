import type { MomentRow } from '../moment-view.ts';
import { addBusinessMinutes, businessMsBetween, type BusinessHours } from './business-time.ts';
import type { SlaPolicy } from './sla-policy.ts';

/**
 * The SLA columns of a moment. Every function here is pure and returns a new clock; the
 * caller writes it back with the rest of its change.
 *
 * Invariant: `sla_due_at` is the earliest unmet deadline that the sweep has not yet recorded
 * as breached (null when none runs: all met, paused, stopped, or no policy). The sweep moves
 * it past each deadline it records, so deadlines before it have been dealt with.
 */
export type SlaClock = Pick<
  MomentRow,
  'sla_policy_id' | 'first_response_due' | 'next_response_due' | 'resolution_due' | 'sla_due_at' | 'sla_paused_at' | 'first_response_at' | 'sla_warned_at' | 'sla_breached_at'
>;

export type SlaTerms = Pick<SlaPolicy, 'id' | 'firstResponseMinutes' | 'nextResponseMinutes' | 'resolutionMinutes'>;

export type Deadline = 'first_response' | 'next_response' | 'resolution';

export const NO_SLA: SlaClock = {
  sla_policy_id: null,
  first_response_due: null,
  next_response_due: null,
  resolution_due: null,
  sla_due_at: null,
  sla_paused_at: null,
  first_response_at: null,
  sla_warned_at: null,
  sla_breached_at: null,
};

const MINUTE = 60_000;

/** A new moment's clock: each deadline the policy sets, counted from `at`. */
export function startClock(policy: SlaTerms | null, hours: BusinessHours | null, at: number): SlaClock {
  if (policy === null) return NO_SLA;
  const due = (minutes: number | null) => (minutes === null ? null : addBusinessMinutes(at, minutes, hours));
  return withDue({ ...NO_SLA, sla_policy_id: policy.id, first_response_due: due(policy.firstResponseMinutes), resolution_due: due(policy.resolutionMinutes) }, at);
}

/**
 * An agent answered the customer: the first response is met (once) and no reply is owed.
 * A late answer the sweep had not caught yet is still a breach, dated when the deadline passed.
 */
export function onAgentReply(clock: SlaClock, at: number): SlaClock {
  const owed = clock.sla_paused_at === null ? unmet(clock).filter((d) => d.deadline !== 'resolution' && d.due < at) : [];
  const next: SlaClock = { ...clock, first_response_at: clock.first_response_at ?? at, next_response_due: null, sla_breached_at: breachedBy(clock, owed) };
  // Answering only ever ends deadlines: a clock with nothing due (stopped, or all swept) stays so.
  return clock.sla_due_at === null ? next : withDue(next, at);
}

/**
 * The customer wrote after having been answered: a reply is owed within the next-response
 * time. While the clock is paused the deadline is set as of the pause, so that resuming
 * gives it its whole allowance. Call it on an open or pending moment (after resume/restart).
 */
export function onCustomerMessage(clock: SlaClock, policy: SlaTerms | null, hours: BusinessHours | null, at: number): SlaClock {
  if (policy === null || policy.nextResponseMinutes === null || clock.first_response_at === null || clock.next_response_due !== null) return clock;
  const next = { ...clock, next_response_due: addBusinessMinutes(clock.sla_paused_at ?? at, policy.nextResponseMinutes, hours) };
  return withDue(next, at);
}

/** The moment waits on the customer (pending): the clock stops; deadlines keep their values until resume. */
export function pause(clock: SlaClock, at: number): SlaClock {
  if (clock.sla_policy_id === null || clock.sla_paused_at !== null) return clock;
  return { ...clock, sla_paused_at: at, sla_due_at: null, sla_breached_at: breachedBy(clock, passedUnswept(clock, at)) };
}

/** The customer is back: each unmet deadline keeps the business time it had left when paused. */
export function resume(clock: SlaClock, hours: BusinessHours | null, at: number): SlaClock {
  const pausedAt = clock.sla_paused_at;
  if (pausedAt === null) return clock;
  // Deadlines already past when paused are history (pause recorded them); the rest move on.
  const shift = (due: number | null) => (due === null || due <= pausedAt ? due : addBusinessMinutes(at, businessMsBetween(pausedAt, due, hours) / MINUTE, hours));
  const next: SlaClock = {
    ...clock,
    first_response_due: clock.first_response_at === null ? shift(clock.first_response_due) : clock.first_response_due,
    next_response_due: shift(clock.next_response_due),
    resolution_due: shift(clock.resolution_due),
    sla_paused_at: null,
    sla_due_at: null,
  };
  return withDue(next, at);
}

/** Resolved or closed: nothing is due any more; deadlines stay for history. */
export function stop(clock: SlaClock, at: number): SlaClock {
  if (clock.sla_policy_id === null) return clock;
  const passed = clock.sla_paused_at === null ? passedUnswept(clock, at) : [];
  return { ...clock, sla_due_at: null, sla_paused_at: null, sla_breached_at: breachedBy(clock, passed) };
}

/** Reopened: a new resolution deadline from `at`; unmet response deadlines still ahead count again. */
export function restart(clock: SlaClock, policy: SlaTerms | null, hours: BusinessHours | null, at: number): SlaClock {
  if (policy === null || clock.sla_policy_id === null) return clock;
  const next: SlaClock = {
    ...clock,
    resolution_due: policy.resolutionMinutes === null ? null : addBusinessMinutes(at, policy.resolutionMinutes, hours),
    sla_paused_at: null,
    sla_due_at: null,
  };
  return withDue(next, at);
}

/**
 * The earliest unmet deadline not yet recorded as breached: deadlines before the current
 * `sla_due_at` were swept; deadlines before `now` with nothing running were dealt with when
 * the clock stopped. Null while paused or without a policy.
 */
export function dueAt(clock: SlaClock, now: number): number | null {
  if (clock.sla_policy_id === null || clock.sla_paused_at !== null) return null;
  return earliestFrom(clock, clock.sla_due_at === null ? now : Math.min(clock.sla_due_at, now));
}

/** Unmet deadlines, in time order. */
export function unmet(clock: SlaClock): { readonly deadline: Deadline; readonly due: number }[] {
  const out: { deadline: Deadline; due: number }[] = [];
  if (clock.first_response_due !== null && clock.first_response_at === null) out.push({ deadline: 'first_response', due: clock.first_response_due });
  if (clock.next_response_due !== null) out.push({ deadline: 'next_response', due: clock.next_response_due });
  if (clock.resolution_due !== null) out.push({ deadline: 'resolution', due: clock.resolution_due });
  return out.sort((a, b) => a.due - b.due);
}

/** Which deadline `sla_due_at` stands for (the first in list order on equal times). */
export function dueDeadline(clock: SlaClock): Deadline | null {
  return unmet(clock).find((d) => d.due === clock.sla_due_at)?.deadline ?? null;
}

/** The sweep warned of the current deadline: once per deadline value. */
export function markWarned(clock: SlaClock): SlaClock {
  return { ...slaColumns(clock), sla_warned_at: clock.sla_due_at };
}

/**
 * The sweep found `sla_due_at` passed at `now`: records the breach (first breach time kept),
 * names every deadline that passed since, and moves on to the next deadline after `now`.
 */
export function recordBreach(clock: SlaClock, now: number): { readonly clock: SlaClock; readonly deadlines: readonly Deadline[] } {
  const passed = passedUnswept(clock, now);
  // Nothing unmet at `sla_due_at` (a stale value): move on without recording a breach.
  const breachedAt = passed.length > 0 ? (clock.sla_breached_at ?? now) : clock.sla_breached_at;
  return {
    clock: { ...slaColumns(clock), sla_breached_at: breachedAt, sla_due_at: earliestFrom(clock, now + 1) },
    deadlines: passed.map((d) => d.deadline),
  };
}

/** Just the SLA columns (a moment row is a clock too): what to write back with `.set()`. */
export function slaColumns(clock: SlaClock): SlaClock {
  return {
    sla_policy_id: clock.sla_policy_id,
    first_response_due: clock.first_response_due,
    next_response_due: clock.next_response_due,
    resolution_due: clock.resolution_due,
    sla_due_at: clock.sla_due_at,
    sla_paused_at: clock.sla_paused_at,
    first_response_at: clock.first_response_at,
    sla_warned_at: clock.sla_warned_at,
    sla_breached_at: clock.sla_breached_at,
  };
}

function withDue(clock: SlaClock, at: number): SlaClock {
  return { ...clock, sla_due_at: dueAt(clock, at) };
}

function earliestFrom(clock: SlaClock, from: number): number | null {
  return unmet(clock).find((d) => d.due >= from)?.due ?? null;
}

/** Unmet deadlines that passed by `at` and that the sweep has not recorded yet. */
function passedUnswept(clock: SlaClock, at: number) {
  const since = clock.sla_due_at;
  return since === null ? [] : unmet(clock).filter((d) => d.due >= since && d.due <= at);
}

/** The first breach time, given deadlines that passed (each breached when it passed). */
function breachedBy(clock: SlaClock, passed: readonly { readonly due: number }[]): number | null {
  return clock.sla_breached_at ?? (passed.length > 0 ? Math.min(...passed.map((d) => d.due)) : null);
}
