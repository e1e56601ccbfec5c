import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AppError } from '../../../platform/errors.ts';
import { firstMatch, matchRule, validateConditions, type RoutingFacts, type RuleConditions } from './match-rule.ts';

const facts = (over: Partial<RoutingFacts> = {}): RoutingFacts => ({
  channel: 'chat',
  businessUnitId: 'bu-1',
  stage: 'customer',
  language: 'pt-BR',
  text: 'Olá! Quero um reembolso, por favor.',
  traits: { plan: 'Enterprise', vip: true, seats: 42, address: { country: 'PT' }, tags: ['beta', 'early'] },
  ...over,
});

const arbitraryFacts: fc.Arbitrary<RoutingFacts> = fc.record({
  channel: fc.string(),
  businessUnitId: fc.option(fc.string()),
  stage: fc.option(fc.string()),
  language: fc.option(fc.string()),
  text: fc.string({ unit: 'grapheme' }),
  traits: fc.dictionary(fc.string(), fc.jsonValue()),
});

describe('matchRule', () => {
  it('matches everything when no condition is given', () => {
    fc.assert(fc.property(arbitraryFacts, (f) => matchRule({}, f)));
    fc.assert(fc.property(arbitraryFacts, (f) => matchRule({ channels: [], keywords: [], stages: [], languages: [], businessUnitIds: [], traits: {} }, f)));
  });

  it('needs every condition (AND) and any value inside one (OR)', () => {
    expect(matchRule({ channels: ['email', 'chat'] }, facts())).toBe(true);
    expect(matchRule({ channels: ['email'] }, facts())).toBe(false);
    expect(matchRule({ channels: ['CHAT'] }, facts())).toBe(true);
    expect(matchRule({ channels: ['chat'], stages: ['lead'] }, facts())).toBe(false);
    expect(matchRule({ channels: ['chat'], stages: ['lead', 'customer'], businessUnitIds: ['bu-1'] }, facts())).toBe(true);
    expect(matchRule({ businessUnitIds: ['bu-2'] }, facts())).toBe(false);
  });

  it('never matches a fact the moment lacks', () => {
    expect(matchRule({ businessUnitIds: ['bu-1'] }, facts({ businessUnitId: null }))).toBe(false);
    expect(matchRule({ stages: ['customer'] }, facts({ stage: null }))).toBe(false);
    expect(matchRule({ languages: ['pt'] }, facts({ language: null }))).toBe(false);
    expect(matchRule({ traits: { plan: 'enterprise' } }, facts({ traits: {} }))).toBe(false);
  });

  it('compares languages by their leading subtags', () => {
    expect(matchRule({ languages: ['pt'] }, facts({ language: 'pt-BR' }))).toBe(true);
    expect(matchRule({ languages: ['pt-BR'] }, facts({ language: 'pt' }))).toBe(true);
    expect(matchRule({ languages: ['pt-br'] }, facts({ language: 'pt_BR' }))).toBe(true);
    expect(matchRule({ languages: ['pt-PT'] }, facts({ language: 'pt-BR' }))).toBe(false);
    expect(matchRule({ languages: ['es', 'en'] }, facts({ language: 'pt-BR' }))).toBe(false);
    expect(matchRule({ languages: ['zh-Hant'] }, facts({ language: 'zh-Hant-TW' }))).toBe(true);
  });

  it('finds keywords as whole words or phrases, ignoring case and accents', () => {
    const text = (t: string) => facts({ text: t });
    expect(matchRule({ keywords: ['REEMBOLSO'] }, facts())).toBe(true);
    expect(matchRule({ keywords: ['ola'] }, facts())).toBe(true);
    expect(matchRule({ keywords: ['refund'] }, text('I want a Refund, please!'))).toBe(true);
    expect(matchRule({ keywords: ['refund'] }, text('it was refunded already'))).toBe(false);
    expect(matchRule({ keywords: ['fund'] }, text('I want a refund'))).toBe(false);
    expect(matchRule({ keywords: ['money back'] }, text('I want my  MONEY\nback now'))).toBe(true);
    expect(matchRule({ keywords: ['money back'] }, text('back my money'))).toBe(false);
    expect(matchRule({ keywords: ['réembolsé'] }, text('pas REEMBOLSE du tout'))).toBe(true);
    expect(matchRule({ keywords: ['cancel', 'refund'] }, text('please cancel'))).toBe(true);
    expect(matchRule({ keywords: ['straße'] }, text('Hauptstrasse 1'))).toBe(false);
    expect(matchRule({ keywords: ['strasse'] }, text('Straße'))).toBe(true);
    expect(matchRule({ keywords: ['退款'] }, text('我要退款。'))).toBe(true);
  });

  it('compares traits sensibly across strings, numbers and booleans', () => {
    expect(matchRule({ traits: { plan: 'enterprise' } }, facts())).toBe(true);
    expect(matchRule({ traits: { plan: 'pro' } }, facts())).toBe(false);
    expect(matchRule({ traits: { vip: true } }, facts())).toBe(true);
    expect(matchRule({ traits: { vip: 'true' } }, facts())).toBe(true);
    expect(matchRule({ traits: { vip: true } }, facts({ traits: { vip: 'TRUE' } }))).toBe(true);
    expect(matchRule({ traits: { vip: false } }, facts())).toBe(false);
    expect(matchRule({ traits: { vip: true } }, facts({ traits: { vip: 1 } }))).toBe(false);
    expect(matchRule({ traits: { seats: 42 } }, facts())).toBe(true);
    expect(matchRule({ traits: { seats: '42' } }, facts())).toBe(true);
    expect(matchRule({ traits: { seats: 42 } }, facts({ traits: { seats: '42.0' } }))).toBe(true);
    expect(matchRule({ traits: { seats: 41 } }, facts())).toBe(false);
    expect(matchRule({ traits: { zip: '007' } }, facts({ traits: { zip: '7' } }))).toBe(false);
    expect(matchRule({ traits: { 'address.country': 'pt' } }, facts())).toBe(true);
    expect(matchRule({ traits: { tags: 'beta' } }, facts())).toBe(true);
    expect(matchRule({ traits: { plan: 'enterprise', seats: 1 } }, facts())).toBe(false);
    expect(matchRule({ traits: { constructor: 'x', toString: 'y' } }, facts({ traits: {} }))).toBe(false);
  });
});

describe('firstMatch', () => {
  const rules = [
    { id: 'a', conditions: { channels: ['email'] } as RuleConditions },
    { id: 'b', conditions: { keywords: ['reembolso'] } },
    { id: 'c', conditions: {} },
  ];

  it('returns the first rule in order whose conditions hold', () => {
    expect(firstMatch(rules, facts())?.id).toBe('b');
    expect(firstMatch(rules, facts({ channel: 'email' }))?.id).toBe('a');
    expect(firstMatch(rules, facts({ text: 'hello' }))?.id).toBe('c');
    expect(firstMatch(rules.slice(0, 2), facts({ text: 'hello' }))).toBeNull();
    expect(firstMatch([], facts())).toBeNull();
  });

  it('agrees with matchRule on every rule', () => {
    fc.assert(
      fc.property(arbitraryFacts, fc.array(fc.constantFrom<RuleConditions>({}, { channels: ['chat'] }, { keywords: ['a'] }, { traits: { x: 1 } })), (f, conditions) => {
        const list = conditions.map((c, i) => ({ i, conditions: c }));
        expect(firstMatch(list, f)?.i ?? null).toBe(list.find((r) => matchRule(r.conditions, f))?.i ?? null);
      }),
    );
  });
});

describe('validateConditions', () => {
  const fieldOf = (input: unknown): string | undefined => {
    try {
      validateConditions(input);
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe('invalid_field');
      return (e as AppError).field;
    }
    return undefined;
  };

  it('tidies good conditions', () => {
    expect(validateConditions(undefined)).toEqual({});
    expect(validateConditions({ channels: [' Chat ', 'chat', 'email'], keywords: [], stages: ['lead'], traits: { plan: 'pro', n: 2, b: false } })).toEqual({
      channels: ['chat', 'email'],
      stages: ['lead'],
      traits: { plan: 'pro', n: 2, b: false },
    });
  });

  it('names the field of bad conditions', () => {
    expect(fieldOf('chat')).toBe('conditions');
    expect(fieldOf({ channel: ['chat'] })).toBe('conditions.channel');
    expect(fieldOf({ channels: 'chat' })).toBe('conditions.channels');
    expect(fieldOf({ channels: ['no spaces allowed'] })).toBe('conditions.channels');
    expect(fieldOf({ stages: ['vip'] })).toBe('conditions.stages');
    expect(fieldOf({ languages: ['portuguese!'] })).toBe('conditions.languages');
    expect(fieldOf({ keywords: ['?!'] })).toBe('conditions.keywords');
    expect(fieldOf({ keywords: [''] })).toBe('conditions.keywords');
    expect(fieldOf({ keywords: Array.from({ length: 101 }, (_, i) => `k${i}`) })).toBe('conditions.keywords');
    expect(fieldOf({ businessUnitIds: [3] })).toBe('conditions.businessUnitIds');
    expect(fieldOf({ traits: ['plan'] })).toBe('conditions.traits');
    expect(fieldOf({ traits: { plan: { nested: true } } })).toBe('conditions.traits.plan');
    expect(fieldOf({ traits: { n: Number.NaN } })).toBe('conditions.traits.n');
  });

  it('keeps what it accepts meaning the same', () => {
    const conditions = validateConditions(JSON.parse('{"traits":{"__proto__":"x"}}'));
    expect(Object.keys(conditions.traits ?? {})).toEqual(['__proto__']);
    expect(matchRule(conditions, facts({ traits: {} }))).toBe(false);
  });
});
