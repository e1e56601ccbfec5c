import { act, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { aMoment } from '../../test/moment-fixture.ts';
import { renderInApp } from '../../test/render.tsx';
import { readSla } from './sla-clock.ts';
import { SlaTimer } from './SlaTimer.tsx';

const START = Date.UTC(2026, 10, 26, 14, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

describe('the SLA timer over a fake clock', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
  });
  afterEach(() => vi.useRealTimers());

  it('counts down, turns "due soon" inside the warning window, then red once breached', () => {
    const due = iso(START + 31 * 60_000);
    renderInApp(<SlaTimer sla={aMoment({ sla: { state: 'running', dueAt: due, firstResponseDue: due } }).sla} />);
    const timer = screen.getByTestId('sla-timer');
    expect(timer.dataset.tone).toBe('running');
    expect(timer.textContent).toBe('First response due in 31m');

    act(() => vi.advanceTimersByTime(2 * 60_000));
    expect(timer.dataset.tone).toBe('due_soon');
    expect(timer.textContent).toBe('First response due in 29m');

    act(() => vi.advanceTimersByTime(29 * 60_000 + 5_000));
    expect(timer.dataset.tone).toBe('breached');
    expect(timer.textContent).toBe('First response breached 5s ago');
  });

  it('shows a paused clock while waiting on the customer, and nothing without an SLA', () => {
    const due = iso(START + 10 * 60_000);
    const { unmount } = renderInApp(<SlaTimer sla={aMoment({ sla: { state: 'paused', dueAt: due, pausedAt: iso(START) } }).sla} />);
    expect(screen.getByTestId('sla-timer').dataset.tone).toBe('paused');
    act(() => vi.advanceTimersByTime(20 * 60_000));
    expect(screen.getByTestId('sla-timer').dataset.tone).toBe('paused');
    unmount();
    renderInApp(<SlaTimer sla={aMoment().sla} />);
    expect(screen.queryByTestId('sla-timer')).toBeNull();
  });
});

describe('reading an SLA', () => {
  it('names the deadline that is next and keeps a recorded breach red after the deadline moved', () => {
    const next = iso(START + 3 * 3_600_000 + 5 * 60_000);
    expect(readSla(aMoment({ sla: { state: 'running', dueAt: next, nextResponseDue: next } }).sla, START)).toEqual({ tone: 'running', label: 'Next response due in 3h 05m', deadline: 'Next response' });
    const reading = readSla(aMoment({ sla: { state: 'breached', breachedAt: iso(START - 90_000), dueAt: next, resolutionDue: next } }).sla, START);
    expect(reading.tone).toBe('breached');
    expect(reading.label).toBe('Resolution breached 1m ago');
  });

  it('honours the workspace warning window', () => {
    const due = iso(START + 50 * 60_000);
    expect(readSla(aMoment({ sla: { dueAt: due } }).sla, START, 60 * 60_000).tone).toBe('due_soon');
    expect(readSla(aMoment({ sla: { dueAt: due } }).sla, START).tone).toBe('running');
  });
});
