import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client.ts';
import { keys } from '../../api/keys.ts';
import type { Message, Moment } from '../../api/types.ts';
import { applyMoment } from '../../app/apply-moment.ts';
import type { Viewer } from '../inbox/inbox-filters.ts';

/** What a moment action sends: POST to a sub-path (assign, handoff, …) or PATCH the moment. */
export type MomentAction = { readonly method: 'POST' | 'PATCH'; readonly path: string; readonly body: unknown };

/** Runs a moment action and shows its answer at once everywhere the moment appears. */
export function useMomentAction(momentId: string, viewer: Viewer) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (action: MomentAction) =>
      action.method === 'PATCH' ? api.patch<Moment>(`/moments/${momentId}`, action.body) : api.post<Moment>(`/moments/${momentId}${action.path}`, action.body),
    onSuccess: (moment) => {
      applyMoment(client, moment, viewer, { onlyIfCached: false });
      void client.invalidateQueries({ queryKey: keys.moments.ownership(momentId) });
      void client.invalidateQueries({ queryKey: keys.moments.counts });
    },
  });
}

/** Adds a reply or a note; the new message joins the thread at once. */
export function useSendMessage(momentId: string, viewer: Viewer) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: Record<string, unknown>) => api.post<{ moment: Moment; message: Message }>(`/moments/${momentId}/messages`, body),
    onSuccess: ({ moment, message }) => {
      applyMoment(client, moment, viewer, { onlyIfCached: false });
      client.setQueryData<Message[]>(keys.moments.messages(momentId), (old) => (old && !old.some((m) => m.id === message.id) ? [...old, message] : old));
    },
  });
}
