import { act, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { renderInApp } from '../test/render.tsx';
import { TypingLine } from '../screens/moment/TypingLine.tsx';
import { noteTyping, stoppedTyping, TYPING_SHOWS_MS } from './typing.ts';

const customer = (typing: boolean, momentId = 'm1') => ({ type: 'signal', signal: 'typing', momentId, from: { kind: 'customer' }, typing }) as const;
const agent = (id: string, name: string, typing: boolean) => ({ type: 'signal', signal: 'typing', momentId: 'm1', from: { kind: 'agent', id, name }, typing }) as const;
const agentName = (id: string) => ({ ana: 'Ana', bob: 'Bob' })[id] ?? 'someone';

function line() {
  const view = renderInApp(<TypingLine momentId="m1" viewerAgentId="bob" customerName="Li Wei" agentName={agentName} />);
  return { client: view.client, text: () => screen.getByTestId('typing').textContent };
}
/** Lets time pass inside React's act: the query cache tells its observers on a zero-delay timer. */
const wait = (ms = 0) => act(() => vi.advanceTimersByTime(ms));
/** A stream frame (or a message) arrives, and the screen catches up. */
const hear = (change: () => void) => {
  act(change);
  wait();
};

describe('who is typing on a moment', () => {
  beforeEach(() => vi.useFakeTimers({ shouldAdvanceTime: true }));
  afterEach(() => vi.useRealTimers());

  it('shows the customer and colleagues typing, but not the viewer, and each until they stop', () => {
    const { client, text } = line();
    expect(text()).toBe('');
    hear(() => noteTyping(client, customer(true)));
    expect(text()).toBe('Li Wei is typing…');
    hear(() => noteTyping(client, agent('ana', 'Ana', true)));
    hear(() => noteTyping(client, agent('bob', 'Bob', true)));
    expect(text()).toBe('Li Wei and Ana are typing…');
    hear(() => noteTyping(client, customer(false)));
    expect(text()).toBe('Ana is typing…');
    // Another moment's typing is not this one's.
    hear(() => noteTyping(client, customer(true, 'm2')));
    expect(text()).toBe('Ana is typing…');
  });

  it('lets a "typing" that is not renewed run out, and a renewal keep it on', () => {
    const { client, text } = line();
    hear(() => noteTyping(client, customer(true)));
    wait(TYPING_SHOWS_MS - 2_000);
    hear(() => noteTyping(client, customer(true)));
    wait(TYPING_SHOWS_MS - 1_000);
    expect(text()).toBe('Li Wei is typing…');
    wait(1_100);
    expect(text()).toBe('');
  });

  it("drops a typist whose message arrived before their \"stopped\"", () => {
    const { client, text } = line();
    hear(() => noteTyping(client, customer(true)));
    hear(() => noteTyping(client, agent('ana', 'Ana', true)));
    hear(() => stoppedTyping(client, 'm1', { kind: 'customer', id: null, name: null }));
    expect(text()).toBe('Ana is typing…');
  });
});
