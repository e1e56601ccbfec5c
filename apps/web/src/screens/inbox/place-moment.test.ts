import { describe, expect, it } from 'vitest';
import type { Moment } from '../../api/types.ts';
import { aMoment } from '../../test/moment-fixture.ts';
import { placeMoment, type MomentPages } from './place-moment.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 26, 10, minute)).toISOString();
const m = (id: string, minute: number, patch: Partial<Moment> = {}) => aMoment({ id, lastMessageAt: at(minute), ...patch });
const pages = (more: boolean, ...rows: Moment[][]): MomentPages => ({
  pages: rows.map((data, i) => ({ data, nextCursor: i === rows.length - 1 && !more ? null : `c${i}` })),
  pageParams: rows.map((_, i) => (i === 0 ? null : `c${i - 1}`)),
});
const ids = (data: MomentPages) => data.pages.map((p) => p.data.map((x) => x.id));

describe('placing a live change in a loaded list', () => {
  it('puts a new moment where its sort says', () => {
    const data = pages(false, [m('c', 30), m('a', 10)]);
    expect(ids(placeMoment(data, m('b', 20), 'yes', 'recent'))).toEqual([['c', 'b', 'a']]);
  });

  it('moves a moment that got a new message to the top, and drops one that no longer matches', () => {
    const data = pages(false, [m('c', 30), m('b', 20)], [m('a', 10)]);
    expect(ids(placeMoment(data, m('a', 40), 'yes', 'recent'))).toEqual([['a', 'c'], ['b']]);
    expect(ids(placeMoment(data, m('b', 20), 'no', 'recent'))).toEqual([['c', 'a'], []]);
  });

  it('leaves a moment past the loaded rows to the next page', () => {
    const data = pages(true, [m('c', 30), m('b', 20)]);
    const same = placeMoment(data, m('a', 5), 'yes', 'recent');
    expect(same).toBe(data);
  });

  it('keeps a listed "maybe" (updated in place) and does not add an unlisted one', () => {
    const data = pages(false, [m('b', 20), m('a', 10)]);
    const updated = placeMoment(data, m('a', 10, { priority: 'urgent' }), 'maybe', 'recent');
    expect(updated.pages[0]!.data[1]!.priority).toBe('urgent');
    expect(placeMoment(data, m('z', 30), 'maybe', 'recent')).toBe(data);
  });

  it('orders by deadline for the SLA sort, moments without one last', () => {
    const soon = m('soon', 0, { sla: { ...aMoment().sla, dueAt: at(15) } });
    const none = m('none', 0);
    const data = pages(false, [soon, none]);
    expect(ids(placeMoment(data, m('sooner', 0, { sla: { ...aMoment().sla, dueAt: at(12) } }), 'yes', 'sla'))).toEqual([['sooner', 'soon', 'none']]);
  });
});
