import { RULE_LIMITS } from '@touchpoint/contracts';
import { AppError } from '../../../platform/errors.ts';
import { isPlainObject } from '../../../platform/json.ts';
import { isStage } from '../../profiles/index.ts';

export type TraitValue = string | number | boolean;

/**
 * When an assignment rule applies. Every condition given must hold; inside a list any value
 * will do; an absent or empty list does not constrain. `{}` matches every moment.
 */
export type RuleConditions = {
  readonly channels?: readonly string[];
  readonly businessUnitIds?: readonly string[];
  readonly stages?: readonly string[];
  readonly languages?: readonly string[];
  readonly keywords?: readonly string[];
  readonly traits?: Readonly<Record<string, TraitValue>>;
};

/** What routing knows about a moment when it opens: where, who (stage, traits), and what was said. */
export type RoutingFacts = {
  readonly channel: string;
  readonly businessUnitId: string | null;
  readonly stage: string | null;
  readonly language: string | null;
  /** Subject and message text the keywords are looked for in. */
  readonly text: string;
  readonly traits: Readonly<Record<string, unknown>>;
};

/** Whether a moment with these facts meets every condition. */
export function matchRule(conditions: RuleConditions, facts: RoutingFacts): boolean {
  return matches(conditions, prepare(facts));
}

/** The first rule, in the order given (by position), whose conditions hold; null when none does. */
export function firstMatch<R extends { readonly conditions: RuleConditions }>(rules: readonly R[], facts: RoutingFacts): R | null {
  // The text is folded and split once, however many rules look at it.
  const prepared = prepare(facts);
  return rules.find((rule) => matches(rule.conditions, prepared)) ?? null;
}

type Prepared = { readonly facts: RoutingFacts; readonly words: () => string };

function prepare(facts: RoutingFacts): Prepared {
  let words: string | undefined;
  return { facts, words: () => (words ??= ` ${wordsOf(facts.text).join(' ')} `) };
}

function matches(c: RuleConditions, p: Prepared): boolean {
  const { facts } = p;
  const language = facts.language;
  if (given(c.channels) && !c.channels.some((ch) => ch.toLowerCase() === facts.channel.toLowerCase())) return false;
  if (given(c.businessUnitIds) && (facts.businessUnitId === null || !c.businessUnitIds.includes(facts.businessUnitId))) return false;
  if (given(c.stages) && (facts.stage === null || !c.stages.includes(facts.stage))) return false;
  if (given(c.languages) && (language === null || !c.languages.some((l) => sameLanguage(l, language)))) return false;
  if (given(c.keywords) && !c.keywords.some((k) => containsKeyword(p.words(), k))) return false;
  if (c.traits) {
    for (const [key, wanted] of Object.entries(c.traits)) if (!traitEquals(wanted, traitOf(facts.traits, key))) return false;
  }
  return true;
}

const given = (list: readonly string[] | undefined): list is readonly string[] => list !== undefined && list.length > 0;

/** Lower case, accents and compatibility forms folded: "Réembolsé" and "reembolse" read the same. */
function fold(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/\p{M}/gu, '').replace(/ß/g, 'ss');
}

function wordsOf(text: string): string[] {
  return fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

// Scripts written without spaces between words: a keyword there can only be a substring.
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

/** A whole word or phrase: "refund" is in "Refund, please!" but not in "refunded". */
function containsKeyword(spacedWords: string, keyword: string): boolean {
  const phrase = wordsOf(keyword).join(' ');
  if (phrase === '') return false;
  return UNSPACED.test(phrase) ? spacedWords.includes(phrase) : spacedWords.includes(` ${phrase} `);
}

/** Language tags match when one's subtags start the other's: "pt" ~ "pt-BR", "pt-BR" !~ "pt-PT". */
function sameLanguage(a: string, b: string): boolean {
  const x = a.toLowerCase().split(/[-_]/);
  const y = b.toLowerCase().split(/[-_]/);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** A trait by its key, or by a dotted path into nested objects ("address.country"). */
function traitOf(traits: Readonly<Record<string, unknown>>, key: string): unknown {
  if (Object.hasOwn(traits, key)) return traits[key];
  let value: unknown = traits;
  for (const part of key.split('.')) {
    if (!isPlainObject(value) || !Object.hasOwn(value, part)) return undefined;
    value = value[part];
  }
  return value;
}

/**
 * Equality as a person means it: true equals "true", 42 equals "42" and "42.0", strings
 * ignore case and surrounding spaces; a list trait matches when any element does.
 */
function traitEquals(wanted: TraitValue, actual: unknown): boolean {
  if (Array.isArray(actual)) return actual.some((a) => traitEquals(wanted, a));
  if (typeof wanted === 'boolean' || typeof actual === 'boolean') {
    const w = asBoolean(wanted);
    return w !== null && w === asBoolean(actual);
  }
  if (typeof wanted === 'number' || typeof actual === 'number') {
    const w = asNumber(wanted);
    return w !== null && w === asNumber(actual);
  }
  // Two strings compare as text: "007" is not "7".
  return typeof actual === 'string' && actual.trim().toLowerCase() === wanted.trim().toLowerCase();
}

function asBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return null;
  const text = value.trim().toLowerCase();
  return text === 'true' ? true : text === 'false' ? false : null;
}

function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const n = Number(value.trim());
  return Number.isFinite(n) ? n : null;
}

const CHANNEL = /^[a-z][a-z0-9_-]{0,49}$/i;
const LANGUAGE = /^[a-z]{2,3}(?:[-_][a-z0-9]{1,8})*$/i;
const LIST_CONDITIONS = ['channels', 'businessUnitIds', 'stages', 'languages', 'keywords'] as const;
type ListCondition = (typeof LIST_CONDITIONS)[number];

/**
 * Checks conditions from any caller (the API, an import) and returns them tidied: values
 * trimmed and deduplicated, empty lists dropped. Bad input names its field, e.g.
 * `conditions.languages`, never a 500.
 */
export function validateConditions(input: unknown): RuleConditions {
  if (input === undefined || input === null) return {};
  if (!isPlainObject(input)) throw new AppError('invalid_field', 'conditions must be an object', 'conditions');
  const out: { -readonly [K in keyof RuleConditions]: RuleConditions[K] } = {};
  for (const [name, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const field = `conditions.${name}`;
    if (name === 'traits') {
      const traits = validateTraits(value, field);
      if (Object.keys(traits).length > 0) out.traits = traits;
    } else if ((LIST_CONDITIONS as readonly string[]).includes(name)) {
      const list = validateList(name as ListCondition, value, field);
      if (list.length > 0) out[name as ListCondition] = list;
    } else {
      throw new AppError('invalid_field', `unknown condition "${name}"; use ${LIST_CONDITIONS.join(', ')} or traits`, field);
    }
  }
  return out;
}

function validateList(name: ListCondition, value: unknown, field: string): string[] {
  if (!Array.isArray(value)) throw new AppError('invalid_field', `${field} must be a list of strings`, field);
  if (value.length > RULE_LIMITS.listItems) throw new AppError('invalid_field', `${field} takes at most ${RULE_LIMITS.listItems} values`, field);
  const seen = new Set<string>();
  for (const item of value) {
    const text = typeof item === 'string' ? item.trim() : '';
    if (text === '' || text.length > RULE_LIMITS.valueLength) {
      throw new AppError('invalid_field', `${field} values must be non-empty strings of at most ${RULE_LIMITS.valueLength} characters`, field);
    }
    const problem = problemWith(name, text);
    if (problem) throw new AppError('invalid_field', `${field}: "${text}" ${problem}`, field);
    seen.add(name === 'channels' ? text.toLowerCase() : text);
  }
  return [...seen];
}

function problemWith(name: ListCondition, value: string): string | null {
  switch (name) {
    case 'channels':
      return CHANNEL.test(value) ? null : 'is not a channel name';
    case 'stages':
      return isStage(value) ? null : 'is not a lifecycle stage';
    case 'languages':
      return LANGUAGE.test(value) ? null : 'is not a language tag like "en" or "pt-BR"';
    case 'keywords':
      return wordsOf(value).length > 0 ? null : 'has no letters or digits';
    case 'businessUnitIds':
      return null;
  }
}

function validateTraits(value: unknown, field: string): Record<string, TraitValue> {
  if (!isPlainObject(value)) throw new AppError('invalid_field', `${field} must be an object of trait values`, field);
  const entries = Object.entries(value);
  if (entries.length > RULE_LIMITS.traits) throw new AppError('invalid_field', `${field} takes at most ${RULE_LIMITS.traits} traits`, field);
  for (const [key, v] of entries) {
    const ok =
      key.trim() !== '' &&
      key.length <= RULE_LIMITS.valueLength &&
      (typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v.length <= RULE_LIMITS.valueLength));
    if (!ok) throw new AppError('invalid_field', `${field}.${key} must be a string, number or boolean`, `${field}.${key}`);
  }
  // fromEntries keeps even a "__proto__" key as data.
  return Object.fromEntries(entries) as Record<string, TraitValue>;
}
