import { Alert, Group, Paper, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { LANGUAGE_TAG } from '@touchpoint/contracts/language-tag';
import { useState } from 'react';
import { api, errorMessage } from '../../api/client.ts';
import { useBusinessUnits } from '../../api/directory.ts';
import { keys } from '../../api/keys.ts';
import { STAGES, type RuleTestResult } from '../../api/types.ts';
import { STAGE_LABEL } from '../customer/customer-view.ts';
import { CHANNEL_KINDS } from './parts.tsx';

/** A language as a moment names it (the API's pattern): es, pt-BR. */
const LANGUAGE = new RegExp(LANGUAGE_TAG);

/** "Which team would this go to": a made-up moment, answered by the server's own routing rules as they are now. */
export function RuleTester() {
  const units = useBusinessUnits().data ?? [];
  const [input, setInput] = useState({ channel: 'email', businessUnitId: '', stage: '', language: '', text: '', traits: '' });
  const [debounced] = useDebouncedValue(input, 250);
  const traits = parseTraits(debounced.traits);
  const body = {
    channel: debounced.channel,
    businessUnitId: debounced.businessUnitId || null,
    stage: debounced.stage || null,
    // Half a code ("p" on the way to "pt-BR") tests as no language rather than answering an error.
    language: LANGUAGE.test(debounced.language.trim()) ? debounced.language.trim() : null,
    text: debounced.text,
    traits: 'error' in traits ? {} : traits.traits,
  };
  // Under the rules' key: saving, reordering or deleting a rule asks again.
  const answer = useQuery({ queryKey: [...keys.settings.rules, 'test', body], queryFn: () => api.post<RuleTestResult>('/assignment-rules/test', body) });
  const set = (patch: Partial<typeof input>) => setInput((i) => ({ ...i, ...patch }));
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="tester-heading">
      <Title order={3} size="h5" id="tester-heading" mb={4}>
        Which team would this go to?
      </Title>
      <Text size="sm" c="dimmed" mb="sm">
        Describe a moment; the answer comes from the rules as saved.
      </Text>
      <Stack gap="xs">
        <Group grow>
          <Select label="Channel" data={CHANNEL_KINDS} value={input.channel} onChange={(channel) => channel && set({ channel })} allowDeselect={false} />
          <Select label="Stage" data={STAGES.map((s) => ({ value: s, label: STAGE_LABEL[s] }))} value={input.stage || null} onChange={(stage) => set({ stage: stage ?? '' })} clearable placeholder="Unknown" />
        </Group>
        <Group grow>
          {units.length > 0 && (
            <Select label="Business unit" data={units.map((u) => ({ value: u.id, label: u.name }))} value={input.businessUnitId || null} onChange={(v) => set({ businessUnitId: v ?? '' })} clearable placeholder="None" />
          )}
          <TextInput
            label="Language"
            placeholder="pt-BR"
            value={input.language}
            onChange={(e) => set({ language: e.currentTarget.value })}
            error={debounced.language.trim() !== '' && !LANGUAGE.test(debounced.language.trim()) ? 'A language code, like es or pt-BR' : undefined}
          />
        </Group>
        <Textarea label="Subject and first message" value={input.text} onChange={(e) => set({ text: e.currentTarget.value })} autosize minRows={2} />
        <Textarea
          label="Customer traits"
          description="One per line: plan=pro"
          value={input.traits}
          onChange={(e) => set({ traits: e.currentTarget.value })}
          error={'error' in parseTraits(input.traits) ? (parseTraits(input.traits) as { error: string }).error : undefined}
          autosize
          minRows={1}
        />
        <div aria-live="polite" data-testid="rule-test-answer">
          {answer.error ? (
            <Alert color="red" role="alert">
              {errorMessage(answer.error)}
            </Alert>
          ) : answer.data ? (
            <Alert color={answer.data.matched ? 'teal' : 'gray'} variant="light">
              {answer.data.matched ? (
                <Text size="sm">
                  Goes to <strong>{answer.data.matched.teamName}</strong> by the rule “{answer.data.matched.ruleName}”.
                </Text>
              ) : (
                <Text size="sm">
                  No rule matches: {answer.data.fallback.teamName ? (
                    <>
                      goes to <strong>{answer.data.fallback.teamName}</strong>, the workspace’s default team.
                    </>
                  ) : (
                    'no default team is set, so it goes to the workspace owner.'
                  )}
                </Text>
              )}
            </Alert>
          ) : (
            <Text size="sm" c="dimmed">
              Asking…
            </Text>
          )}
        </div>
      </Stack>
    </Paper>
  );
}

/** "plan=pro\nvip=true" → { plan: "pro", vip: "true" }. */
export function parseTraits(text: string): { readonly traits: Record<string, string> } | { readonly error: string } {
  const traits: Record<string, string> = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf('=');
    if (at < 1) return { error: `“${line}” is not name=value` };
    traits[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return { traits };
}
