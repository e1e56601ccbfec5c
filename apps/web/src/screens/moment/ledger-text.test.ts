import { describe, expect, it } from 'vitest';
import type { OwnershipEntry } from '../../api/types.ts';
import { clockTime } from '../../ui/format.ts';
import { ledgerLines } from './ledger-text.ts';

const at = (h: number, m: number) => new Date(2026, 10, 26, h, m).toISOString();
const entry = (patch: Partial<OwnershipEntry>): OwnershipEntry => ({ ownerId: 'bob', ownerName: 'Bob', teamId: 'sales', teamName: 'Sales', reason: 'round_robin', actor: 'system', note: null, from: at(13, 58), to: null, ...patch });

describe('the ownership ledger as history', () => {
  it('reads a hand-off the way people say it', () => {
    const lines = ledgerLines(
      [entry({ to: at(14, 2) }), entry({ ownerId: 'ana', ownerName: 'Ana', teamId: 'service', teamName: 'Service', reason: 'acceptance', actor: 'ana', note: 'billing question', from: at(14, 2) })],
      () => 'Bob',
    );
    expect(lines.map((l) => l.text)).toEqual([`Opened in Sales, assigned to Bob in turn ${clockTime(at(13, 58))}`, `Sales → Service, accepted by Ana ${clockTime(at(14, 2))}, reason: billing question`]);
    expect(clockTime(at(14, 2))).toBe('14:02');
    expect(lines.map((l) => l.current)).toEqual([false, true]);
  });

  it('names who acted on manual assignments, and the line for fallback owners', () => {
    const lines = ledgerLines([entry({ reason: 'fallback', ownerName: 'Olga' }), entry({ reason: 'manual', ownerName: 'Carl', actor: 'adm' })], (actor) => (actor === 'adm' ? 'Dana' : '?'));
    expect(lines[0]!.text).toMatch(/^Waiting in Sales’s line, held by Olga/);
    expect(lines[1]!.text).toMatch(/^Assigned to Carl by Dana/);
  });

  it('says who stopped holding it and why when a moment is routed again', () => {
    const lines = ledgerLines([entry({ ownerName: 'Ana', to: at(14, 0) }), entry({ reason: 'read_only', from: at(14, 0) })], () => '?');
    expect(lines[1]!.text).toMatch(/^Ana became an analyst; Bob took it/);
  });
});
