import { describe, expect, it } from 'vitest';
import { shownViews } from './InboxViews.tsx';

describe('the inbox view tabs', () => {
  const views = ['mine', 'handoffs', 'teams', 'waiting'] as const;
  const counts = { mine: 2, handoffs: 0, myTeams: 9, waiting: 1, breached: 0, dueSoon: 0 };

  it('show "Hand-offs" while one waits for the viewer, or while they look at it', () => {
    expect(shownViews(views, 'mine', counts)).toEqual(['mine', 'teams', 'waiting']);
    expect(shownViews(views, 'mine', { ...counts, handoffs: 1 })).toEqual(['mine', 'handoffs', 'teams', 'waiting']);
    expect(shownViews(views, 'handoffs', counts)).toEqual(['mine', 'handoffs', 'teams', 'waiting']);
  });
});
