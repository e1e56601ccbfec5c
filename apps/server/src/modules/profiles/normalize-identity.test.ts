import { describe, it, expect } from 'vitest';
import {
  IDENTITY_KINDS,
  isBlocklistedValue,
  normalizeIdentity,
  type IdentityKind,
  type NormalizeResult,
} from './normalize-identity.ts';

function valueOf(result: NormalizeResult): string {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.message}`);
  return result.identity.value;
}

function reasonOf(result: NormalizeResult): string {
  if (result.ok) throw new Error(`expected failure, got "${result.identity.value}"`);
  return result.reason;
}

describe('IDENTITY_KINDS', () => {
  it('lists every kind once and cannot be mutated', () => {
    expect([...IDENTITY_KINDS].sort()).toEqual(
      ['anonymous_id', 'email', 'external_id', 'phone', 'social', 'user_id'],
    );
    expect(Object.isFrozen(IDENTITY_KINDS)).toBe(true);
  });
});

describe('isBlocklistedValue', () => {
  it.each([
    '', ' ', 'null', 'NULL', 'undefined', 'anonymous', 'Anonymous', 'unknown', 'none', 'n/a', 'N/A',
    'na', 'nil', '0', '-1', 'guest', 'test', 'TEST', '[object Object]', 'NaN', 'false', 'true',
    '00000000-0000-0000-0000-000000000000', '----', '-', '000', '000-000-0000', '  null  ',
  ])('blocks %j', (value) => {
    expect(isBlocklistedValue(value)).toBe(true);
  });

  it.each(['1', '-2', '10', 'ann', 'tester', 'null1', 'guest42', '00000000-0000-0000-0000-000000000001'])(
    'allows %j',
    (value) => {
      expect(isBlocklistedValue(value)).toBe(false);
    },
  );
});

describe('normalizeIdentity: shared rules', () => {
  it.each(IDENTITY_KINDS)('%s: blocklisted placeholders are rejected as blocklisted', (kind) => {
    for (const raw of ['', '   ', 'null', 'Undefined', ' unknown ', 'n/a', '0', '-1', 0, -1, '----']) {
      expect(reasonOf(normalizeIdentity(kind, raw))).toBe('blocklisted');
    }
  });

  it.each(IDENTITY_KINDS)('%s: non-string, non-number input is invalid', (kind) => {
    for (const raw of [null, undefined, true, false, {}, [], ['a'], { id: 1 }, NaN, Infinity, -Infinity, 10n]) {
      expect(reasonOf(normalizeIdentity(kind, raw))).toBe('invalid');
    }
  });

  it.each(IDENTITY_KINDS)('%s: values longer than 255 characters are invalid', (kind) => {
    expect(reasonOf(normalizeIdentity(kind, 'a'.repeat(256)))).toBe('invalid');
  });

  it('accepts exactly 255 characters', () => {
    expect(valueOf(normalizeIdentity('user_id', 'a'.repeat(255)))).toHaveLength(255);
  });

  it('measures the length after trimming', () => {
    expect(valueOf(normalizeIdentity('user_id', ` ${'a'.repeat(255)} `))).toHaveLength(255);
  });

  it('echoes the kind in the identity', () => {
    const result = normalizeIdentity('anonymous_id', 'abc');
    expect(result).toEqual({ ok: true, identity: { kind: 'anonymous_id', value: 'abc' } });
  });

  it('rejects an unknown kind from untyped callers', () => {
    const result = normalizeIdentity('fax' as IdentityKind, '123');
    expect(reasonOf(result)).toBe('invalid');
  });

  it('explains failures in plain words', () => {
    const result = normalizeIdentity('email', 'foo');
    expect(result).toEqual({ ok: false, reason: 'invalid', message: 'email "foo" is not an address' });
    const nothing = normalizeIdentity('user_id', null);
    expect(!nothing.ok && nothing.message).toMatch(/user_id must be a string or a finite number, got null/);
    const placeholder = normalizeIdentity('user_id', 'guest');
    expect(!placeholder.ok && placeholder.message).toMatch(/"guest"/);
  });
});

describe('normalizeIdentity: user_id and anonymous_id', () => {
  it.each(['user_id', 'anonymous_id'] as const)('%s trims but keeps case', (kind) => {
    expect(valueOf(normalizeIdentity(kind, '  AbC-123 '))).toBe('AbC-123');
    expect(valueOf(normalizeIdentity(kind, 'abc-123'))).not.toBe(valueOf(normalizeIdentity(kind, 'ABC-123')));
  });

  it('stringifies finite numbers', () => {
    expect(valueOf(normalizeIdentity('user_id', 42))).toBe('42');
    expect(valueOf(normalizeIdentity('user_id', 1.5))).toBe('1.5');
    expect(valueOf(normalizeIdentity('user_id', 42))).toBe(valueOf(normalizeIdentity('user_id', '42')));
  });

  it('treats -0 like 0', () => {
    expect(reasonOf(normalizeIdentity('user_id', -0))).toBe('blocklisted');
  });

  it('accepts a real UUID but not the nil UUID', () => {
    expect(valueOf(normalizeIdentity('anonymous_id', '3f2b8c1e-0d4a-4b6e-9a77-1c2d3e4f5a6b'))).toBe(
      '3f2b8c1e-0d4a-4b6e-9a77-1c2d3e4f5a6b',
    );
    expect(reasonOf(normalizeIdentity('anonymous_id', '00000000-0000-0000-0000-000000000000'))).toBe('blocklisted');
  });
});

describe('normalizeIdentity: email', () => {
  it('lower-cases and trims so the same inbox matches', () => {
    expect(valueOf(normalizeIdentity('email', 'Ann@Example.com'))).toBe('ann@example.com');
    expect(valueOf(normalizeIdentity('email', ' ann@example.com '))).toBe('ann@example.com');
  });

  it('keeps gmail dots and +tags', () => {
    expect(valueOf(normalizeIdentity('email', 'Ann.B+news@Gmail.com'))).toBe('ann.b+news@gmail.com');
  });

  it('accepts subdomains', () => {
    expect(valueOf(normalizeIdentity('email', 'a@mail.example.co.uk'))).toBe('a@mail.example.co.uk');
  });

  it.each([
    'foo', 'ann@', '@example.com', 'ann@example', 'ann@@example.com', 'ann@b@example.com',
    'ann smith@example.com', 'ann@exa mple.com', 'ann@.com', 'ann@example.', 'ann@example..com', 12345,
  ])('rejects %j as invalid', (raw) => {
    expect(reasonOf(normalizeIdentity('email', raw))).toBe('invalid');
  });

  it('blocklists placeholders before checking the shape', () => {
    expect(reasonOf(normalizeIdentity('email', 'N/A'))).toBe('blocklisted');
  });
});

describe('normalizeIdentity: phone', () => {
  const phone = (raw: unknown, defaultCountry?: 'BR' | 'MX' | 'US' | 'GB') =>
    normalizeIdentity('phone', raw, defaultCountry ? { defaultCountry } : undefined);

  it('stores E.164', () => {
    expect(valueOf(phone('(415) 555-2671', 'US'))).toBe('+14155552671');
    expect(valueOf(phone('+44 20 7946 0958'))).toBe('+442079460958');
    expect(valueOf(phone('020 7946 0958', 'GB'))).toBe('+442079460958');
    expect(valueOf(phone('+1-415-555-2671'))).toBe('+14155552671');
  });

  it('reads the same national number by each default country, however often it is asked', () => {
    for (let i = 0; i < 3; i++) {
      expect(valueOf(phone('020 7946 0958', 'GB'))).toBe('+442079460958');
      expect(phone('020 7946 0958').ok).toBe(false);
      expect(valueOf(phone('(415) 555-2671', 'US'))).toBe('+14155552671');
      expect(phone('(415) 555-2671', 'GB')).not.toEqual(phone('(415) 555-2671', 'US'));
    }
  });

  it('prefers the explicit country code over the default country', () => {
    expect(valueOf(phone('+44 20 7946 0958', 'US'))).toBe('+442079460958');
  });

  it('stringifies numeric input', () => {
    expect(valueOf(phone(4155552671, 'US'))).toBe('+14155552671');
  });

  it('drops extensions, which do not identify a different person', () => {
    expect(valueOf(phone('+1 415 555 2671 ext. 12'))).toBe('+14155552671');
  });

  it('rejects a national number without a default country', () => {
    expect(reasonOf(phone('(415) 555-2671'))).toBe('invalid');
  });

  it.each(['abc', '12', '+1 415', '+44 20 7946 0958 0958 0958', 'call +14155552671', '+999 1234567'])(
    'rejects %j as invalid',
    (raw) => {
      expect(reasonOf(phone(raw, 'US'))).toBe('invalid');
    },
  );

  it('blocklists all-zero numbers, also when formatted', () => {
    expect(reasonOf(phone('000-000-0000', 'US'))).toBe('blocklisted');
    expect(reasonOf(phone('(000) 000-0000', 'US'))).toBe('blocklisted');
    expect(reasonOf(phone('+1 000 000 0000'))).toBe('blocklisted');
  });

  describe('Brazil ninth digit', () => {
    it('matches the old 8-digit mobile with the current 9-digit one', () => {
      expect(valueOf(phone('+55 11 98765-4321'))).toBe('+5511987654321');
      expect(valueOf(phone('+55 11 8765-4321'))).toBe('+5511987654321');
    });

    it.each(['6', '7', '8', '9'])('adds the 9 to old mobiles starting %s', (first) => {
      expect(valueOf(phone(`+55 21 ${first}123-4567`))).toBe(`+55219${first}1234567`);
    });

    it.each(['2', '3', '4', '5'])('never touches landlines starting %s', (first) => {
      expect(valueOf(phone(`+55 21 ${first}123-4567`))).toBe(`+5521${first}1234567`);
    });

    it('keeps the landline example unchanged', () => {
      expect(valueOf(phone('+55 11 3456-7890'))).toBe('+551134567890');
    });

    it('handles national input with the default country', () => {
      expect(valueOf(phone('(11) 98765-4321', 'BR'))).toBe('+5511987654321');
      expect(valueOf(phone('(11) 8765-4321', 'BR'))).toBe('+5511987654321');
      expect(valueOf(phone('011 98765-4321', 'BR'))).toBe('+5511987654321');
    });

    it('leaves 9-digit mobiles alone', () => {
      expect(valueOf(phone('+55 21 99876-5432'))).toBe('+5521998765432');
    });

    it('does not apply to other countries', () => {
      expect(valueOf(phone('+1 415 755 2671'))).toBe('+14157552671');
    });
  });

  describe('Mexico mobile prefix', () => {
    it('drops the retired 1 after +52', () => {
      expect(valueOf(phone('+52 1 55 1234 5678'))).toBe('+525512345678');
      expect(valueOf(phone('+5215512345678'))).toBe('+525512345678');
      expect(valueOf(phone('+52 55 1234 5678'))).toBe('+525512345678');
      expect(valueOf(phone('+52 1 55 1234 5678'))).toBe(valueOf(phone('+52 55 1234 5678')));
    });

    it('works for other area codes', () => {
      expect(valueOf(phone('+52 1 81 1234 5678'))).toBe('+528112345678');
      expect(valueOf(phone('+52 1 222 123 4567'))).toBe('+522221234567');
    });

    it('handles national input with the default country, including 044/045', () => {
      expect(valueOf(phone('55 1234 5678', 'MX'))).toBe('+525512345678');
      expect(valueOf(phone('1 55 1234 5678', 'MX'))).toBe('+525512345678');
      expect(valueOf(phone('044 55 1234 5678', 'MX'))).toBe('+525512345678');
      expect(valueOf(phone('045 55 1234 5678', 'MX'))).toBe('+525512345678');
    });

    it('only strips the 1 from 11-digit national numbers', () => {
      // Ten digits starting with 1 are already the modern length, so nothing is removed.
      expect(valueOf(phone('+52 155 123 4567'))).toBe('+521551234567');
    });
  });
});

describe('normalizeIdentity: external_id', () => {
  it('lower-cases the namespace and keeps the id as given', () => {
    expect(valueOf(normalizeIdentity('external_id', 'shopify:123'))).toBe('shopify:123');
    expect(valueOf(normalizeIdentity('external_id', 'Zendesk:AbC'))).toBe('zendesk:AbC');
    expect(valueOf(normalizeIdentity('external_id', ' stripe : cus_9 '))).toBe('stripe:cus_9');
  });

  it('splits at the first colon only', () => {
    expect(valueOf(normalizeIdentity('external_id', 'shopify:gid://shopify/Customer/1'))).toBe(
      'shopify:gid://shopify/Customer/1',
    );
  });

  it('allows namespace characters a-z 0-9 _ . - up to 64 long', () => {
    expect(valueOf(normalizeIdentity('external_id', 'my_crm.v2-eu:1'))).toBe('my_crm.v2-eu:1');
    expect(valueOf(normalizeIdentity('external_id', `${'n'.repeat(64)}:1`))).toBe(`${'n'.repeat(64)}:1`);
  });

  it.each(['123', 'shopify', ':123', 'sho pify:123', 'shop!fy:123', `${'n'.repeat(65)}:1`, 'shopify:', 'shopify:   '])(
    'rejects %j as invalid',
    (raw) => {
      expect(reasonOf(normalizeIdentity('external_id', raw))).toBe('invalid');
    },
  );

  it.each(['shopify:null', 'shopify:0', 'zendesk:Unknown', 'crm:-1', 'crm:00000000-0000-0000-0000-000000000000'])(
    'blocklists a placeholder id in %j',
    (raw) => {
      expect(reasonOf(normalizeIdentity('external_id', raw))).toBe('blocklisted');
    },
  );
});

describe('normalizeIdentity: social', () => {
  it('removes the @ and lower-cases the handle and network', () => {
    expect(valueOf(normalizeIdentity('social', 'twitter:@Ann_B'))).toBe('twitter:ann_b');
    expect(valueOf(normalizeIdentity('social', 'Instagram: ann.b '))).toBe('instagram:ann.b');
    expect(valueOf(normalizeIdentity('social', 'twitter:@Ann_B'))).toBe(
      valueOf(normalizeIdentity('social', 'twitter:ann_b')),
    );
  });

  it('removes only one leading @', () => {
    expect(valueOf(normalizeIdentity('social', 'x:@@ann'))).toBe('x:@ann');
  });

  it('allows network names up to 32 characters', () => {
    expect(valueOf(normalizeIdentity('social', `${'n'.repeat(32)}:ann`))).toBe(`${'n'.repeat(32)}:ann`);
    expect(reasonOf(normalizeIdentity('social', `${'n'.repeat(33)}:ann`))).toBe('invalid');
  });

  it.each(['ann', '@ann', ':ann', 'tik tok:ann', 'twitter:', 'twitter:@', 'twitter: @ '])('rejects %j as invalid', (raw) => {
    expect(reasonOf(normalizeIdentity('social', raw))).toBe('invalid');
  });

  it.each(['twitter:@null', 'tiktok:guest', 'facebook:Anonymous', 'x:@test'])('blocklists a placeholder handle in %j', (raw) => {
    expect(reasonOf(normalizeIdentity('social', raw))).toBe('blocklisted');
  });
});
