import type { RuleConditions, Stage } from '../../api/types.ts';

/** The conditions editor's state: lists as the inputs hold them, traits as editable rows. */
export type ConditionsForm = {
  readonly channels: readonly string[];
  readonly businessUnitIds: readonly string[];
  readonly stages: readonly Stage[];
  readonly languages: readonly string[];
  readonly keywords: readonly string[];
  readonly traits: readonly { readonly key: string; readonly value: string }[];
};

export const EMPTY_CONDITIONS: ConditionsForm = { channels: [], businessUnitIds: [], stages: [], languages: [], keywords: [], traits: [] };

export function formFromConditions(c: RuleConditions): ConditionsForm {
  return {
    channels: c.channels ?? [],
    businessUnitIds: c.businessUnitIds ?? [],
    stages: c.stages ?? [],
    languages: c.languages ?? [],
    keywords: c.keywords ?? [],
    traits: Object.entries(c.traits ?? {}).map(([key, value]) => ({ key, value: String(value) })),
  };
}

const clean = (values: readonly string[]) => [...new Set(values.map((v) => v.trim()).filter(Boolean))];

/**
 * The API's shape: only the conditions that say something (an empty list would match nothing
 * on the server's side, so it is left out); trait rows without a name are dropped, values sent
 * as typed (the server compares "true" with true and "42" with 42).
 */
export function conditionsFromForm(form: ConditionsForm): RuleConditions {
  const out: { -readonly [K in keyof RuleConditions]: RuleConditions[K] } = {};
  const channels = clean(form.channels);
  const businessUnitIds = clean(form.businessUnitIds);
  const languages = clean(form.languages);
  const keywords = clean(form.keywords);
  if (channels.length) out.channels = channels;
  if (businessUnitIds.length) out.businessUnitIds = businessUnitIds;
  if (form.stages.length) out.stages = [...new Set(form.stages)];
  if (languages.length) out.languages = languages;
  if (keywords.length) out.keywords = keywords;
  const traits = form.traits.filter((t) => t.key.trim());
  if (traits.length) out.traits = Object.fromEntries(traits.map((t) => [t.key.trim(), t.value.trim()]));
  return out;
}

/** What the person must fix before saving: field → message. */
export function conditionErrors(form: ConditionsForm): Readonly<Record<string, string>> {
  const errors: Record<string, string> = {};
  const seen = new Set<string>();
  form.traits.forEach((t, i) => {
    const key = t.key.trim();
    if (!key && t.value.trim()) errors[`traits.${i}.key`] = 'Name the trait, or remove the row';
    else if (key && !/^[A-Za-z0-9_.-]{1,100}$/.test(key)) errors[`traits.${i}.key`] = 'Letters, digits, _ . - only';
    else if (key && seen.has(key)) errors[`traits.${i}.key`] = 'This trait is already a condition';
    seen.add(key);
  });
  return errors;
}

/** A rule's conditions in one line, as the rules list shows them. */
export function describeConditions(c: RuleConditions, names: { readonly businessUnit: (id: string) => string; readonly channel: (kind: string) => string; readonly stage: (s: string) => string }): string {
  const parts: string[] = [];
  const or = (values: readonly string[]) => values.join(' or ');
  if (c.channels?.length) parts.push(`on ${or(c.channels.map(names.channel))}`);
  if (c.businessUnitIds?.length) parts.push(`in ${or(c.businessUnitIds.map(names.businessUnit))}`);
  if (c.stages?.length) parts.push(`stage ${or(c.stages.map(names.stage))}`);
  if (c.languages?.length) parts.push(`language ${or(c.languages)}`);
  if (c.keywords?.length) parts.push(`mentions ${or(c.keywords.map((k) => `“${k}”`))}`);
  for (const [key, value] of Object.entries(c.traits ?? {})) parts.push(`${key} = ${String(value)}`);
  return parts.length ? parts.join(' · ') : 'every moment';
}

/** The list with one item moved up or down (a no-op at the ends). */
export function moved<T>(items: readonly T[], index: number, by: -1 | 1): T[] {
  const to = index + by;
  const next = [...items];
  if (to < 0 || to >= items.length) return next;
  [next[index], next[to]] = [next[to]!, next[index]!];
  return next;
}
