import { afterEach, describe, expect, it } from 'vitest';
import { rememberWorkspaces } from './known-workspaces.ts';

const stored = () => JSON.parse(sessionStorage.getItem('touchpoint.workspaces') ?? '[]') as unknown;

afterEach(() => sessionStorage.clear());

describe('the workspaces the header may switch to', () => {
  it('a sign-in replaces the list; a switch (maybe another password) adds to it; sign-out forgets it', () => {
    rememberWorkspaces([{ id: 'a', name: 'Acme' }, { id: 'b', name: 'Beta' }], 'replace');
    rememberWorkspaces([{ id: 'c', name: 'Gamma' }, { id: 'b', name: 'Beta Ltd' }], 'merge');
    expect(stored()).toEqual([{ id: 'a', name: 'Acme' }, { id: 'b', name: 'Beta Ltd' }, { id: 'c', name: 'Gamma' }]);
    rememberWorkspaces([{ id: 'z', name: 'Zeta' }], 'replace');
    expect(stored()).toEqual([{ id: 'z', name: 'Zeta' }]);
    rememberWorkspaces([], 'replace');
    expect(sessionStorage.getItem('touchpoint.workspaces')).toBeNull();
  });
});
