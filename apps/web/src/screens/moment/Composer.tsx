import { Alert, Badge, Button, CloseButton, FileButton, Group, Mentions, Paper, Select, SegmentedControl, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { IconPaperclip, IconSend } from '@tabler/icons-react';
import { useEffect, useImperativeHandle, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import { ApiError, errorMessage } from '../../api/client.ts';
import { useAgents, useChannels } from '../../api/directory.ts';
import { useMomentAction, useSendMessage } from './use-moment-actions.ts';
import { useTypingSignal } from './use-typing-signal.ts';
import type { Message, Moment } from '../../api/types.ts';
import { duration } from '../../ui/format.ts';
import type { Viewer } from '../inbox/inbox-filters.ts';
import { composerRules, mentionable, replySubject, templatesOf, type Template } from './composer-rules.ts';

export type ComposerHandle = { readonly focusReply: () => void };
type Mode = 'reply' | 'note';
type Draft = { text: string; markup: string; mentions: string[] };

/** Drafts survive switching between moments (not a reload): nobody loses half a reply to a j/k. */
const drafts = new Map<string, Draft>();
const MAX_FILE = 5 * 1024 * 1024;

type Props = {
  readonly ref?: Ref<ComposerHandle>;
  readonly moment: Moment;
  readonly messages: readonly Message[];
  readonly viewer: Viewer;
  readonly readOnly: boolean;
};

/**
 * Reply to the customer or write an internal note. The composer follows the channel: email
 * shows the subject and who was in Cc; WhatsApp shows the 24-hour window and offers approved
 * templates once it has closed; SMS counts segments. A failed send keeps everything typed.
 */
export function Composer({ ref, moment, messages, viewer, readOnly }: Props) {
  const draftKey = (mode: Mode) => `${moment.id}:${mode}`;
  const [mode, setMode] = useState<Mode>('reply');
  const [draft, setDraft] = useState<Draft>(() => drafts.get(draftKey('reply')) ?? { text: '', markup: '', mentions: [] });
  const [subject, setSubject] = useState(moment.subject);
  // null: copy whoever the customer's last email copied (as suggested); else what the agent typed.
  const [cc, setCc] = useState<string | null>(null);
  const [files, setFiles] = useState<File[]>([]);
  const [template, setTemplate] = useState<Template | null>(null);
  const [forceTemplate, setForceTemplate] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const input = useRef<HTMLTextAreaElement>(null);
  const agents = useAgents().data ?? [];
  const channels = useChannels().data ?? [];
  const send = useSendMessage(moment.id, viewer);
  const rename = useMomentAction(moment.id, viewer);
  const typing = useTypingSignal(moment.id, mode === 'reply' && !readOnly);

  const rules = composerRules({ moment, messages, agentId: viewer.agentId, readOnly, text: draft.text, now });
  const replying = mode === 'reply' && rules.replyBlocked === null;
  const templateMode = replying && (rules.templateOnly || forceTemplate);
  const templates = channels.filter((c) => c.kind === 'whatsapp').flatMap((c) => templatesOf(c.settings));

  useImperativeHandle(ref, () => ({
    focusReply: () => {
      switchMode('reply');
      requestAnimationFrame(() => input.current?.focus());
    },
  }));
  // The WhatsApp window closes while one types: re-read the clock every half minute.
  useEffect(() => {
    if (!rules.window) return;
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, [rules.window !== null]);
  useEffect(() => {
    drafts.set(draftKey(mode), draft);
  }, [draft, mode]);

  function switchMode(next: Mode) {
    if (next === mode) return;
    drafts.set(draftKey(mode), draft);
    setDraft(drafts.get(draftKey(next)) ?? { text: '', markup: '', mentions: [] });
    setMode(next);
    setProblem(null);
  }

  const ccList = (cc ?? rules.email?.cc.join(', ') ?? '')
    .split(/[,;\s]+/)
    .map((a) => a.trim())
    .filter(Boolean);

  async function submit() {
    setProblem(null);
    const badCc = ccList.find((a) => !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(a));
    if (badCc) return setProblem(`“${badCc}” is not an email address (Cc).`);
    const text = draft.text.trim();
    if (templateMode && !template) return setProblem('Choose an approved template: outside the 24-hour window WhatsApp delivers nothing else.');
    if (!templateMode && !text) return setProblem(mode === 'note' ? 'Write the note first.' : 'Write your reply first.');
    typing.stopped();
    try {
      if (rules.email && replying && subject.trim() && subject.trim() !== moment.subject) {
        await rename.mutateAsync({ method: 'PATCH', path: '', body: { subject: subject.trim() } });
      }
      const attachments = await Promise.all(files.map(toAttachment));
      await send.mutateAsync(
        mode === 'note'
          ? { direction: 'note', body: text, mentions: draft.mentions, ...(attachments.length ? { attachments } : {}) }
          : templateMode && template
            ? { direction: 'out', body: template.body ?? `Template “${template.name}” (${template.language})`, template: { name: template.name, language: template.language } }
            : { direction: 'out', body: text, ...(attachments.length ? { attachments } : {}), ...(rules.email && ccList.length ? { email: { cc: ccList } } : {}) },
      );
      drafts.delete(draftKey(mode));
      setDraft({ text: '', markup: '', mentions: [] });
      setFiles([]);
      setTemplate(null);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'outside_messaging_window') {
        setForceTemplate(true);
        setProblem('The customer last wrote over 24 hours ago, so WhatsApp only delivers an approved template now. Your text is kept below.');
      } else setProblem(errorMessage(error));
    }
  }

  // On the whole composer: after attaching files, focus is on the Attach button, not in the text.
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void submit();
    }
  };
  const addFiles = (picked: File[]) => {
    const tooBig = picked.find((f) => f.size > MAX_FILE);
    if (tooBig) setProblem(`${tooBig.name} is over 5 MB: send a link instead.`);
    setFiles((old) => [...old, ...picked.filter((f) => f.size <= MAX_FILE)]);
  };
  const busy = send.isPending || rename.isPending;

  return (
    <Paper withBorder radius={0} p="sm" component="section" aria-label="Composer" style={{ borderLeft: 0, borderRight: 0, borderBottom: 0 }} onKeyDown={onKeyDown}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <SegmentedControl
            size="xs"
            value={mode}
            onChange={(v) => switchMode(v as Mode)}
            data={[
              { value: 'reply', label: 'Reply' },
              { value: 'note', label: 'Internal note' },
            ]}
            aria-label="Write a reply or an internal note"
          />
          {mode === 'reply' && rules.window && (
            <Badge color={rules.window.open ? 'teal' : 'orange'} variant="light" data-testid="whatsapp-window">
              {rules.window.open && rules.window.closesAt ? `24-hour window: closes in ${duration(rules.window.closesAt - now)}` : '24-hour window closed: templates only'}
            </Badge>
          )}
          {mode === 'reply' && rules.smsSegments !== null && rules.smsSegments > 0 && (
            <Text size="xs" c="dimmed">
              {[...draft.text].length} characters · {rules.smsSegments} SMS
            </Text>
          )}
        </Group>

        {mode === 'reply' && rules.replyBlocked && (
          <Alert variant="light" color="gray" p="xs" data-testid="reply-blocked">
            <Text size="sm">{rules.replyBlocked}</Text>
          </Alert>
        )}

        {replying && rules.email && (
          <Group grow gap="xs" align="flex-start">
            <TextInput size="xs" label="Subject" value={subject} onChange={(e) => setSubject(e.currentTarget.value)} description={`Sent as “${replySubject(subject || moment.subject)}”`} />
            <TextInput
              size="xs"
              label="Cc"
              value={cc ?? rules.email.cc.join(', ')}
              onChange={(e) => setCc(e.currentTarget.value)}
              placeholder="Nobody"
              description="Comma-separated; starts with whoever the customer's last email copied"
            />
          </Group>
        )}

        {templateMode && (
          <Select
            size="xs"
            label="Approved template"
            placeholder={templates.length ? 'Choose a template' : 'No templates: add them to the WhatsApp channel settings'}
            data={templates.map((t) => ({ value: `${t.name}|${t.language}`, label: `${t.name} (${t.language})` }))}
            value={template ? `${template.name}|${template.language}` : null}
            onChange={(value) => setTemplate(templates.find((t) => `${t.name}|${t.language}` === value) ?? null)}
            disabled={templates.length === 0}
          />
        )}

        {problem && (
          <Alert color="red" variant="light" p="xs" role="alert" withCloseButton onClose={() => setProblem(null)} closeButtonLabel="Dismiss">
            <Text size="sm">{problem}</Text>
          </Alert>
        )}

        {mode === 'note' ? (
          <Mentions
            aria-label="Internal note"
            placeholder="Write a note for your colleagues. Type @ to mention someone."
            value={draft.markup}
            onChange={(p) => setDraft({ text: p.plainTextValue, markup: p.value, mentions: [...new Set(p.mentions.map((m) => m.id))] })}
            minRows={2}
            maxRows={8}
            ref={input}
          >
            <Mentions.Mention trigger="@" data={mentionable(agents, moment).map((a) => ({ id: a.id, display: a.name }))} appendSpaceOnAdd />
          </Mentions>
        ) : (
          <Textarea
            ref={input}
            aria-label={templateMode ? 'Reply (not sent while only templates are allowed)' : 'Reply'}
            placeholder={rules.placeholder}
            autosize
            minRows={2}
            maxRows={8}
            value={draft.text}
            onChange={(e) => {
              setDraft({ ...draft, text: e.currentTarget.value });
              typing.typed(e.currentTarget.value);
            }}
            disabled={rules.replyBlocked !== null}
          />
        )}

        {files.length > 0 && (
          <Group gap={6}>
            {files.map((f, i) => (
              <Badge key={`${f.name}-${i}`} variant="light" rightSection={<CloseButton size="xs" aria-label={`Remove ${f.name}`} onClick={() => setFiles(files.filter((_, j) => j !== i))} />}>
                {f.name}
              </Badge>
            ))}
          </Group>
        )}

        <Group justify="space-between">
          {rules.attachments && !templateMode && (mode === 'note' || replying) ? (
            <FileButton onChange={addFiles} multiple>
              {(props) => (
                <Button {...props} variant="subtle" size="xs" leftSection={<IconPaperclip size={14} aria-hidden />}>
                  Attach files
                </Button>
              )}
            </FileButton>
          ) : (
            <span />
          )}
          <Group gap="xs">
            <Text size="xs" c="dimmed">
              Ctrl + Enter to send
            </Text>
            <Button size="xs" onClick={() => void submit()} loading={busy} disabled={mode === 'reply' && rules.replyBlocked !== null} leftSection={<IconSend size={14} aria-hidden />}>
              {mode === 'note' ? 'Add note' : templateMode ? 'Send template' : 'Send reply'}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Paper>
  );
}

function toAttachment(file: File): Promise<{ fileName: string; contentType: string; data: string }> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve({ fileName: file.name, contentType: file.type || 'application/octet-stream', data: String(reader.result).split(',')[1] ?? '' });
    reader.onerror = () => reject(new Error(`${file.name} could not be read`));
    reader.readAsDataURL(file);
  });
}
