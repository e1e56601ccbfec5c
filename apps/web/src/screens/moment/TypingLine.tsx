import { Text } from '@mantine/core';
import { useTypists, type Typist } from '../../app/typing.ts';

/**
 * "Ann Lee is typing…" under the conversation: the customer on web chat, or a colleague about to
 * answer too (so two people do not write the same reply). Always in the page, empty when nobody
 * types, so that screen readers announce it as it changes.
 */
export function TypingLine({ momentId, viewerAgentId, customerName, agentName }: { readonly momentId: string; readonly viewerAgentId: string | null; readonly customerName: string; readonly agentName: (id: string) => string }) {
  const typists = useTypists(momentId, viewerAgentId);
  const names = typists.map((t) => nameOf(t, customerName, agentName));
  return (
    <Text size="xs" c="dimmed" px="lg" pb={4} mih={22} aria-live="polite" data-testid="typing">
      {names.length === 0 ? '' : `${names.join(' and ')} ${names.length === 1 ? 'is' : 'are'} typing…`}
    </Text>
  );
}

function nameOf(t: Typist, customerName: string, agentName: (id: string) => string): string {
  if (t.kind === 'customer') return customerName;
  return t.name ?? (t.id ? agentName(t.id) : 'Someone');
}
