import { Anchor, Badge, Box, Group, Paper, Stack, Text, Tooltip } from '@mantine/core';
import { IconLock, IconPaperclip } from '@tabler/icons-react';
import { useNames } from '../../api/directory.ts';
import type { DeliveryState, Message } from '../../api/types.ts';
import { fullTime, shortTime } from '../../ui/format.ts';

const DELIVERY: Readonly<Record<DeliveryState, { readonly label: string; readonly color: string }>> = {
  received: { label: 'Received', color: 'gray' },
  internal: { label: 'Internal', color: 'yellow' },
  queued: { label: 'Queued', color: 'gray' },
  sent: { label: 'Sent', color: 'blue' },
  delivered: { label: 'Delivered', color: 'teal' },
  read: { label: 'Read', color: 'teal' },
  failed: { label: 'Failed', color: 'red' },
};

/** The conversation, oldest first: the customer's messages, replies with how far they got, and internal notes. */
export function Thread({ messages, customerName }: { readonly messages: readonly Message[]; readonly customerName: string }) {
  return (
    <Stack gap="sm" component="ol" aria-label="Conversation" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
      {messages.map((m) => (
        <MessageItem key={m.id} message={m} customerName={customerName} />
      ))}
    </Stack>
  );
}

function MessageItem({ message, customerName }: { readonly message: Message; readonly customerName: string }) {
  const { agentName } = useNames();
  const inbound = message.direction === 'in';
  const note = message.direction === 'note';
  const author = inbound ? customerName : message.authorKind === 'system' ? 'Touchpoint' : agentName(message.authorId);
  return (
    <Box component="li" style={{ display: 'flex', justifyContent: inbound ? 'flex-start' : 'flex-end' }} data-testid="message" data-direction={message.direction}>
      <Paper
        withBorder
        radius="md"
        p="sm"
        maw="78%"
        bg={note ? 'var(--mantine-color-yellow-light)' : inbound ? 'var(--mantine-color-body)' : 'var(--mantine-color-blue-light)'}
      >
        <Group gap="xs" justify="space-between" wrap="nowrap" mb={4}>
          <Group gap={6} wrap="nowrap">
            {note && <IconLock size={14} aria-label="Internal note" />}
            <Text size="xs" fw={600}>
              {author}
              {note ? ' · internal note' : ''}
            </Text>
          </Group>
          <Text size="xs" c="dimmed" title={fullTime(message.createdAt)}>
            {shortTime(message.createdAt)}
          </Text>
        </Group>
        {message.meta.unsent === true ? (
          <Text size="sm" c="dimmed" fs="italic">
            The customer unsent this message.
          </Text>
        ) : (
          <Text size="sm" className="message-body">
            {message.body}
          </Text>
        )}
        {message.attachments.length > 0 && (
          <Stack gap={2} mt="xs">
            {message.attachments.map((a) => (
              <Anchor key={a.id} href={`/api/v1/attachments/${a.id}`} size="xs" download={a.fileName}>
                <Group gap={4} wrap="nowrap">
                  <IconPaperclip size={12} aria-hidden />
                  {a.fileName} ({Math.max(1, Math.round(a.size / 1024))} KB)
                </Group>
              </Anchor>
            ))}
          </Stack>
        )}
        {message.direction === 'out' && <DeliveryLine message={message} />}
      </Paper>
    </Box>
  );
}

function DeliveryLine({ message }: { readonly message: Message }) {
  const state = DELIVERY[message.delivery] ?? { label: message.delivery, color: 'gray' };
  return (
    <Group gap={6} mt={6} justify="flex-end" wrap="nowrap">
      <Tooltip label={message.deliveryAt ? `${state.label} ${fullTime(message.deliveryAt)}` : state.label}>
        <Badge size="xs" variant={message.delivery === 'failed' ? 'filled' : 'light'} color={state.color} data-testid="delivery-state" tabIndex={0} style={{ flexShrink: 0 }}>
          {state.label}
        </Badge>
      </Tooltip>
      {message.deliveryError && (
        <Text size="xs" c={message.delivery === 'failed' ? 'red' : 'dimmed'} data-testid="delivery-error">
          {message.delivery === 'failed' ? message.deliveryError : `Retrying: ${message.deliveryError}`}
        </Text>
      )}
    </Group>
  );
}
