import { renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TYPING_EVERY_MS, TYPING_IDLE_MS, useTypingSignal } from './use-typing-signal.ts';

/** What the hook posted, in order: `true` for typing, `false` for stopped, by moment. */
function recordTyping(): { moment: string; typing: boolean }[] {
  const said: { moment: string; typing: boolean }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit) => {
      said.push({ moment: /moments\/([^/]+)\/typing$/.exec(url)![1]!, typing: (JSON.parse(String(init.body)) as { typing: boolean }).typing });
      return new Response(null, { status: 204 });
    }),
  );
  return said;
}

describe('telling others the agent is typing', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('says "typing" again every two seconds while keys go down, and "stopped" after four idle seconds', () => {
    const said = recordTyping();
    const { result } = renderHook(() => useTypingSignal('m1', true));
    result.current.typed('H');
    vi.advanceTimersByTime(500);
    result.current.typed('Hi');
    expect(said).toEqual([{ moment: 'm1', typing: true }]);
    vi.advanceTimersByTime(TYPING_EVERY_MS);
    result.current.typed('Hi t');
    expect(said.map((s) => s.typing)).toEqual([true, true]);
    vi.advanceTimersByTime(TYPING_IDLE_MS - 1);
    expect(said.map((s) => s.typing)).toEqual([true, true]);
    vi.advanceTimersByTime(1);
    expect(said.map((s) => s.typing)).toEqual([true, true, false]);
  });

  it('stops when the text is emptied, and on the old moment when the agent moves on', () => {
    const said = recordTyping();
    const { result, rerender } = renderHook(({ id }) => useTypingSignal(id, true), { initialProps: { id: 'm1' } });
    result.current.typed('Sorry');
    result.current.typed('');
    result.current.typed('Sorry about that');
    rerender({ id: 'm2' });
    expect(said).toEqual([
      { moment: 'm1', typing: true },
      { moment: 'm1', typing: false },
      { moment: 'm1', typing: true },
      { moment: 'm1', typing: false },
    ]);
    // Nothing is left to say about m1 when its idle time would have run out.
    vi.advanceTimersByTime(TYPING_IDLE_MS);
    expect(said).toHaveLength(4);
  });

  it('says nothing while disabled (an internal note, a read-only viewer), nor for whitespace', () => {
    const said = recordTyping();
    const { result } = renderHook(() => useTypingSignal('m1', false));
    result.current.typed('Checked the order');
    const enabled = renderHook(() => useTypingSignal('m1', true));
    enabled.result.current.typed('   ');
    vi.advanceTimersByTime(TYPING_IDLE_MS);
    expect(said).toEqual([]);
  });
});
