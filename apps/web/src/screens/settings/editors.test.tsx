import { QueryClient } from '@tanstack/react-query';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { keys } from '../../api/keys.ts';
import { renderInApp } from '../../test/render.tsx';
import { CapacityEditor } from './CapacityEditor.tsx';
import { capacityFromRows, rowsFromCapacity, type CapacityRow } from './capacity.ts';
import { ConditionsEditor } from './ConditionsEditor.tsx';
import { conditionErrors, conditionsFromForm, formFromConditions, type ConditionsForm } from './rule-conditions.ts';

/** The editor wired as the agent form wires it, showing the API shape it would send. */
function Capacity({ initial }: { readonly initial: Record<string, number> }) {
  const [rows, setRows] = useState<CapacityRow[]>(rowsFromCapacity(initial));
  const { capacity, errors } = capacityFromRows(rows);
  return (
    <>
      <CapacityEditor rows={rows} errors={errors} onChange={setRows} defaultCapacity={5} />
      <output data-testid="sent">{JSON.stringify(capacity)}</output>
    </>
  );
}

function Conditions({ initial }: { readonly initial: ConditionsForm }) {
  const [form, setForm] = useState(initial);
  return (
    <>
      <ConditionsEditor value={form} errors={conditionErrors(form)} onChange={setForm} />
      <output data-testid="sent">{JSON.stringify(conditionsFromForm(form))}</output>
    </>
  );
}

describe('capacity editor', () => {
  it('edits, adds and removes limits and produces the API shape', async () => {
    const user = userEvent.setup();
    renderInApp(<Capacity initial={{ '*': 5, chat: 3 }} />);
    expect(screen.getByTestId('sent').textContent).toBe('{"chat":3,"*":5}');
    const chat = screen.getByRole('textbox', { name: 'Limit 1' });
    await user.clear(chat);
    await user.type(chat, '2');
    expect(screen.getByTestId('sent').textContent).toBe('{"chat":2,"*":5}');
    await user.click(screen.getByRole('button', { name: 'Remove limit 2' }));
    expect(screen.getByTestId('sent').textContent).toBe('{"chat":2}');
    await user.click(screen.getByRole('button', { name: 'Add a limit' }));
    expect(screen.getByTestId('sent').textContent).toBe('{"chat":2,"*":5}');
    await user.click(screen.getByRole('button', { name: 'Add a limit' }));
    expect(screen.getByText('Choose a channel')).toBeTruthy();
  });

  it('says a missing number on the number field, not on the channel', async () => {
    const user = userEvent.setup();
    renderInApp(<Capacity initial={{ chat: 3 }} />);
    const limit = screen.getByRole('textbox', { name: 'Limit 1' });
    await user.clear(limit);
    expect(limit.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(limit.getAttribute('aria-describedby')!.split(' ').find((id) => id.includes('error'))!)?.textContent).toBe('A whole number from 0 to 1000');
    expect(screen.getByRole('combobox', { name: 'Channel 1' }).getAttribute('aria-invalid')).not.toBe('true');
  });

  it('says the workspace default applies when there are no limits', () => {
    renderInApp(<Capacity initial={{}} />);
    expect(screen.getByText(/the workspace default \(5 at once\) applies on every channel/)).toBeTruthy();
  });
});

describe('rule conditions editor', () => {
  it('turns keywords and trait rows into the API shape, and flags a duplicate trait', async () => {
    const user = userEvent.setup();
    const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
    client.setQueryData(keys.businessUnits, []);
    renderInApp(<Conditions initial={formFromConditions({ channels: ['email'] })} />, client);
    await user.type(screen.getByRole('combobox', { name: 'Keywords' }), 'refund{Enter}');
    await user.click(screen.getByRole('button', { name: 'Add a trait condition' }));
    await user.type(screen.getByRole('textbox', { name: 'Trait 1 name' }), 'plan');
    await user.type(screen.getByRole('textbox', { name: 'Trait 1 value' }), 'pro');
    expect(JSON.parse(screen.getByTestId('sent').textContent!)).toEqual({ channels: ['email'], keywords: ['refund'], traits: { plan: 'pro' } });
    await user.click(screen.getByRole('button', { name: 'Add a trait condition' }));
    await user.type(screen.getByRole('textbox', { name: 'Trait 2 name' }), 'plan');
    expect(screen.getByText('This trait is already a condition')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Remove trait 2' }));
    expect(screen.queryByText('This trait is already a condition')).toBeNull();
  });
});
