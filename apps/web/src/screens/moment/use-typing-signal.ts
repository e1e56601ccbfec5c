import { useEffect, useRef } from 'react';
import { api } from '../../api/client.ts';

/** While typing goes on, "typing" is said again this often: the widget lets it run out after eight seconds. */
export const TYPING_EVERY_MS = 2_000;
/** This long without a keystroke counts as stopped, as it does in the widget. */
export const TYPING_IDLE_MS = 4_000;

/**
 * Tells the customer (on web chat) and colleagues that the viewer is typing a reply to this
 * moment, as the widget tells the agent: "typing" at most every two seconds while keys go down,
 * and "stopped" after four idle seconds, when the text is emptied or sent, when the composer
 * turns to an internal note (`enabled` false: notes are not the customer's business), or when
 * the agent moves to another moment. Best effort: a lost signal only lets an indicator run out.
 */
export function useTypingSignal(momentId: string, enabled: boolean): { readonly typed: (text: string) => void; readonly stopped: () => void } {
  const state = useRef({ on: false, sentAt: 0, idle: undefined as ReturnType<typeof setTimeout> | undefined });

  const say = (typing: boolean) => void api.post(`/moments/${momentId}/typing`, { typing }).catch(() => undefined);
  const stopped = () => {
    const s = state.current;
    clearTimeout(s.idle);
    if (!s.on) return;
    s.on = false;
    say(false);
  };
  const typed = (text: string) => {
    if (!enabled || text.trim() === '') return stopped();
    const s = state.current;
    const now = Date.now();
    if (!s.on || now - s.sentAt >= TYPING_EVERY_MS) {
      s.on = true;
      s.sentAt = now;
      say(true);
    }
    clearTimeout(s.idle);
    s.idle = setTimeout(stopped, TYPING_IDLE_MS);
  };

  // Another moment, a note instead of a reply, or the pane closing: whatever was said stops.
  useEffect(() => stopped, [momentId, enabled]);
  return { typed, stopped };
}
