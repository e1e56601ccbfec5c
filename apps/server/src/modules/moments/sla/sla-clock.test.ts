import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { businessMsBetween, type BusinessHours } from './business-time.ts';
import { dueAt, dueDeadline, markWarned, NO_SLA, onAgentReply, onCustomerMessage, pause, recordBreach, restart, resume, startClock, stop, type SlaTerms } from './sla-clock.ts';

const M = 60_000;
const H = 60 * M;
const t0 = Date.parse('2026-06-01T10:00:00Z');
const policy: SlaTerms = { id: 'p1', firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: 240 };
const nineToFive = [['09:00', '17:00']] as const;
const lisbon: BusinessHours = { timeZone: 'Europe/Lisbon', weekly: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive }, holidays: [] };
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('startClock', () => {
  it('runs no clock without a policy', () => {
    expect(startClock(null, null, t0)).toEqual(NO_SLA);
  });

  it('sets each deadline the policy has and points at the earliest', () => {
    const c = startClock(policy, null, t0);
    expect(c).toMatchObject({ sla_policy_id: 'p1', first_response_due: t0 + H, next_response_due: null, resolution_due: t0 + 4 * H, sla_due_at: t0 + H });
    expect(dueDeadline(c)).toBe('first_response');
    const resolutionOnly = startClock({ ...policy, firstResponseMinutes: null }, null, t0);
    expect(resolutionOnly.first_response_due).toBeNull();
    expect(resolutionOnly.sla_due_at).toBe(t0 + 4 * H);
  });

  it('counts business time', () => {
    // Monday 16:30 in Lisbon: the first hour ends on Tuesday 09:30.
    const c = startClock(policy, lisbon, Date.parse('2026-06-01T15:30:00Z'));
    expect(iso(c.first_response_due)).toBe('2026-06-02T08:30:00.000Z');
    expect(iso(c.resolution_due)).toBe('2026-06-02T11:30:00.000Z');
  });
});

describe('replies', () => {
  it('meets the first response once and moves to the next deadline', () => {
    const c = onAgentReply(startClock(policy, null, t0), t0 + 10 * M);
    expect(c.first_response_at).toBe(t0 + 10 * M);
    expect(c.sla_due_at).toBe(t0 + 4 * H);
    expect(c.sla_breached_at).toBeNull();
    expect(onAgentReply(c, t0 + 20 * M).first_response_at).toBe(t0 + 10 * M);
  });

  it('owes a next response when the customer writes after an answer, and not before', () => {
    const started = startClock(policy, null, t0);
    expect(onCustomerMessage(started, policy, null, t0 + 5 * M)).toBe(started);
    const answered = onAgentReply(started, t0 + 10 * M);
    const owed = onCustomerMessage(answered, policy, null, t0 + H);
    expect(owed.next_response_due).toBe(t0 + H + 30 * M);
    expect(owed.sla_due_at).toBe(t0 + H + 30 * M);
    expect(dueDeadline(owed)).toBe('next_response');
    // Writing again does not push the deadline back.
    expect(onCustomerMessage(owed, policy, null, t0 + H + 10 * M).next_response_due).toBe(t0 + H + 30 * M);
    const replied = onAgentReply(owed, t0 + H + 20 * M);
    expect(replied.next_response_due).toBeNull();
    expect(replied.sla_due_at).toBe(t0 + 4 * H);
  });

  it('records a late answer the sweep had not caught, dated at the deadline', () => {
    const late = onAgentReply(startClock(policy, null, t0), t0 + 2 * H);
    expect(late.sla_breached_at).toBe(t0 + H);
    expect(late.sla_due_at).toBe(t0 + 4 * H);
    expect(onAgentReply(startClock(policy, null, t0), t0 + H).sla_breached_at).toBeNull();
  });

  it('ignores a policy without a next-response time', () => {
    const answered = onAgentReply(startClock(policy, null, t0), t0 + M);
    expect(onCustomerMessage(answered, { ...policy, nextResponseMinutes: null }, null, t0 + H)).toBe(answered);
  });
});

describe('pause and resume', () => {
  it('keeps the business time left across a night', () => {
    // Monday 16:00 Lisbon (15:00Z): one hour ends at closing time, two hours on Tuesday 10:00.
    const start = Date.parse('2026-06-01T15:00:00Z');
    const c = startClock(policy, lisbon, start);
    expect(iso(c.first_response_due)).toBe('2026-06-01T16:00:00.000Z');
    const twoHours = startClock({ ...policy, firstResponseMinutes: 120 }, lisbon, start);
    expect(iso(twoHours.first_response_due)).toBe('2026-06-02T09:00:00.000Z');
    // Paused at 16:30 Monday with 90 business minutes left (30 today, 60 tomorrow).
    const paused = pause(twoHours, Date.parse('2026-06-01T15:30:00Z'));
    expect(paused.sla_due_at).toBeNull();
    expect(dueAt(paused, Date.parse('2026-06-01T16:00:00Z'))).toBeNull();
    // Back on Tuesday 11:00: 90 minutes later is 12:30.
    const resumed = resume(paused, lisbon, Date.parse('2026-06-02T10:00:00Z'));
    expect(resumed.sla_paused_at).toBeNull();
    expect(iso(resumed.first_response_due)).toBe('2026-06-02T11:30:00.000Z');
    expect(resumed.sla_due_at).toBe(resumed.first_response_due);
    // Resolution (240 min from Monday 16:00: Tuesday 12:00) had 210 minutes left → Tuesday 14:30.
    expect(iso(twoHours.resolution_due)).toBe('2026-06-02T11:00:00.000Z');
    expect(iso(resumed.resolution_due)).toBe('2026-06-02T13:30:00.000Z');
  });

  it('gives a pause of wall time back with no business hours', () => {
    const resumed = resume(pause(startClock(policy, null, t0), t0 + 10 * M), null, t0 + 3 * H);
    expect(resumed.first_response_due).toBe(t0 + 3 * H + 50 * M);
    expect(resumed.resolution_due).toBe(t0 + 3 * H + 230 * M);
  });

  it('records a deadline that passed unswept before the pause, and leaves it in the past', () => {
    const paused = pause(startClock(policy, null, t0), t0 + 90 * M);
    expect(paused.sla_breached_at).toBe(t0 + H);
    const resumed = resume(paused, null, t0 + 5 * H);
    expect(resumed.first_response_due).toBe(t0 + H);
    expect(resumed.resolution_due).toBe(t0 + 5 * H + 150 * M);
    expect(resumed.sla_due_at).toBe(t0 + 5 * H + 150 * M);
  });

  it('owes a next response counted from the resume when the customer writes while paused', () => {
    const answered = onAgentReply(startClock(policy, null, t0), t0 + M);
    const paused = pause(answered, t0 + 2 * M);
    const wrote = onCustomerMessage(paused, policy, null, t0 + H);
    expect(wrote.sla_due_at).toBeNull();
    expect(resume(wrote, null, t0 + H).next_response_due).toBe(t0 + H + 30 * M);
  });

  it('gives every running deadline back exactly the business time it had left', () => {
    const day = 24 * H;
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') }),
        fc.integer({ min: 1, max: 3 * day }),
        fc.integer({ min: 1, max: 10 * day }),
        (start, pausedFor, resumedAfter) => {
          const c = startClock({ ...policy, firstResponseMinutes: 600, resolutionMinutes: 6000 }, lisbon, start);
          const pausedAt = start + pausedFor;
          const resumedAt = pausedAt + resumedAfter;
          const resumed = resume(pause(c, pausedAt), lisbon, resumedAt);
          for (const field of ['first_response_due', 'resolution_due'] as const) {
            const before = c[field]!;
            if (before <= pausedAt) expect(resumed[field]).toBe(before);
            else expect(businessMsBetween(resumedAt, resumed[field]!, lisbon)).toBe(businessMsBetween(pausedAt, before, lisbon));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('does nothing twice or without a policy', () => {
    const paused = pause(startClock(policy, null, t0), t0 + M);
    expect(pause(paused, t0 + 2 * M)).toBe(paused);
    expect(pause(NO_SLA, t0)).toBe(NO_SLA);
    const running = startClock(policy, null, t0);
    expect(resume(running, null, t0 + M)).toBe(running);
  });
});

describe('stop and restart', () => {
  it('stops the clock but keeps the deadlines, then restarts with a new resolution deadline', () => {
    const answered = onAgentReply(startClock(policy, null, t0), t0 + M);
    const stopped = stop(answered, t0 + H);
    expect(stopped.sla_due_at).toBeNull();
    expect(stopped.resolution_due).toBe(t0 + 4 * H);
    expect(stopped.sla_breached_at).toBeNull();
    const reopened = restart(stopped, policy, null, t0 + 10 * H);
    expect(reopened.resolution_due).toBe(t0 + 14 * H);
    expect(reopened.sla_due_at).toBe(t0 + 14 * H);
  });

  it('records a late resolution the sweep had not caught', () => {
    const answered = onAgentReply(startClock(policy, null, t0), t0 + M);
    expect(stop(answered, t0 + 5 * H).sla_breached_at).toBe(t0 + 4 * H);
  });

  it('does not count a response deadline that passed while stopped', () => {
    const stopped = stop(startClock(policy, null, t0), t0 + 10 * M);
    const reopened = restart(stopped, policy, null, t0 + 3 * H);
    expect(reopened.sla_due_at).toBe(t0 + 7 * H);
  });
});

describe('sweep transitions', () => {
  it('records a breach, names the deadline, and moves to the next one', () => {
    const c = startClock(policy, null, t0);
    const first = recordBreach(c, t0 + H + M);
    expect(first.deadlines).toEqual(['first_response']);
    expect(first.clock.sla_breached_at).toBe(t0 + H + M);
    expect(first.clock.sla_due_at).toBe(t0 + 4 * H);
    // A later reply is still late but the first breach time stays.
    const replied = onAgentReply(first.clock, t0 + 2 * H);
    expect(replied.sla_breached_at).toBe(t0 + H + M);
    expect(replied.sla_due_at).toBe(t0 + 4 * H);
    const second = recordBreach(replied, t0 + 5 * H);
    expect(second.deadlines).toEqual(['resolution']);
    expect(second.clock.sla_breached_at).toBe(t0 + H + M);
    expect(second.clock.sla_due_at).toBeNull();
  });

  it('names every deadline that passed since the last sweep', () => {
    const { clock, deadlines } = recordBreach(startClock(policy, null, t0), t0 + 5 * H);
    expect(deadlines).toEqual(['first_response', 'resolution']);
    expect(clock.sla_due_at).toBeNull();
    // A swept deadline does not come back when something else changes.
    expect(onCustomerMessage(clock, policy, null, t0 + 6 * H).sla_due_at).toBeNull();
  });

  it('does not bring back a swept deadline when a new one starts', () => {
    const answered = onAgentReply(startClock({ ...policy, resolutionMinutes: 60 }, null, t0), t0 + M);
    const swept = recordBreach(answered, t0 + 2 * H).clock;
    expect(swept.sla_due_at).toBeNull();
    expect(onCustomerMessage(swept, policy, null, t0 + 3 * H).sla_due_at).toBe(t0 + 3 * H + 30 * M);
  });

  it('keeps an overdue deadline the sweep has not reached yet', () => {
    const answered = onAgentReply(startClock(policy, null, t0), t0 + M);
    const owed = onCustomerMessage(answered, policy, null, t0 + H);
    // An hour later nobody swept; the customer writes again: the passed deadline is still due.
    expect(dueAt(owed, t0 + 2 * H)).toBe(t0 + H + 30 * M);
  });

  it('moves on without a breach when sla_due_at is stale', () => {
    const answered = onAgentReply(startClock(policy, null, t0), t0 + M);
    const { clock, deadlines } = recordBreach({ ...answered, sla_due_at: t0 + H }, t0 + 2 * H);
    expect(deadlines).toEqual([]);
    expect(clock.sla_breached_at).toBeNull();
    expect(clock.sla_due_at).toBe(t0 + 4 * H);
  });

  it('warns once per deadline value', () => {
    const c = markWarned(startClock(policy, null, t0));
    expect(c.sla_warned_at).toBe(c.sla_due_at);
  });
});
