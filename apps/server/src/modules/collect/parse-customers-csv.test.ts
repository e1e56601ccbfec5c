import { Readable } from 'node:stream';
import { describe, it, expect } from 'vitest';
import { parseCustomersCsv, type CsvCustomer, type CsvRowOutcome } from './parse-customers-csv.ts';

async function collect(input: NodeJS.ReadableStream | string, options: { now?: number } = {}): Promise<CsvRowOutcome[]> {
  const outcomes: CsvRowOutcome[] = [];
  for await (const outcome of parseCustomersCsv(input, options)) outcomes.push(outcome);
  return outcomes;
}

/** The single customer of a one-row file, failing loudly if it was rejected. */
async function onlyCustomer(csv: string): Promise<CsvCustomer> {
  const outcomes = await collect(csv);
  expect(outcomes).toHaveLength(1);
  const [outcome] = outcomes;
  if (!outcome.ok) throw new Error(`expected a customer, got a rejection: ${outcome.reason}`);
  return outcome.customer;
}

/** Line numbers with the ok flag, which is all most layout tests care about. */
function summary(outcomes: readonly CsvRowOutcome[]): (string | number)[][] {
  return outcomes.map((o) => (o.ok ? [o.line, o.customer.email ?? o.customer.userId ?? '?'] : [o.line, o.reason]));
}

/** A stream that hands the parser `text` in byte slices of `size`, splitting CRLFs and multi-byte characters. */
function chunked(text: string, size: number): Readable {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

describe('parseCustomersCsv: columns', () => {
  it('maps well-known columns and keeps the rest as traits under their header', async () => {
    const customer = await onlyCustomer(
      'user_id,email,phone,first_name,last_name,plan,external_id:shopify,created_at\n' +
        'u1,ada@example.com,+44 20 7946 0958,Ada,Lovelace,pro,sh_9,2024-01-05T10:00:00Z\n',
    );
    expect(customer).toEqual({
      userId: 'u1',
      email: 'ada@example.com',
      phone: '+44 20 7946 0958',
      externalIds: { shopify: 'sh_9' },
      traits: { firstName: 'Ada', lastName: 'Lovelace', plan: 'pro' },
      createdAt: '2024-01-05T10:00:00.000Z',
    });
  });

  it.each([
    ['user_id', 'userId'],
    ['userId', 'userId'],
    ['USER ID', 'userId'],
    ['email', 'email'],
    ['E-mail', 'email'],
    ['email_address', 'email'],
    ['Email Address', 'email'],
    ['phone', 'phone'],
    ['phone_number', 'phone'],
    ['Mobile', 'phone'],
  ] as const)('reads header %j as %s', async (header, field) => {
    const customer = await onlyCustomer(`${header}\nx@y\n`);
    expect(customer[field]).toBe('x@y');
  });

  it.each([
    ['first_name', 'firstName'],
    ['firstName', 'firstName'],
    ['First Name', 'firstName'],
    ['last_name', 'lastName'],
    ['LastName', 'lastName'],
    ['name', 'name'],
    ['full_name', 'name'],
    ['Full-Name', 'name'],
    ['  Favourite Colour ', 'Favourite Colour'],
  ])('reads header %j as trait %j', async (header, key) => {
    const customer = await onlyCustomer(`email,${header}\na@b.c,Ada\n`);
    expect(customer.traits).toEqual({ [key]: 'Ada' });
  });

  it('reads created_at under any spelling, and not as a trait', async () => {
    const customer = await onlyCustomer('email,Created At\na@b.c,2024-03-01\n');
    expect(customer.createdAt).toBe('2024-03-01T00:00:00.000Z');
    expect(customer.traits).toEqual({});
  });

  it('collects external_id:<namespace> columns by namespace', async () => {
    const customer = await onlyCustomer('external_id:shopify, External_ID: stripe ,plan\nsh_1,cus_2,pro\n');
    expect(customer.externalIds).toEqual({ shopify: 'sh_1', stripe: 'cus_2' });
    expect(customer.traits).toEqual({ plan: 'pro' });
  });

  it('ignores the values of a column with a blank header', async () => {
    const customer = await onlyCustomer('email,,plan\na@b.c,stray,pro\n');
    expect(customer.traits).toEqual({ plan: 'pro' });
  });

  it('keeps a __proto__ header as an ordinary trait key', async () => {
    const customer = await onlyCustomer('email,__proto__\na@b.c,polluted\n');
    expect(Object.getPrototypeOf(customer.traits)).toBe(Object.prototype);
    expect(Object.hasOwn(customer.traits, '__proto__')).toBe(true);
  });
});

describe('parseCustomersCsv: header problems throw', () => {
  it.each([
    ['no identifier column', 'first_name,plan\nAda,pro\n'],
    ['a bare external_id column, which has no namespace', 'external_id,plan\nx,pro\n'],
  ])('%s', async (_label, csv) => {
    await expect(collect(csv)).rejects.toThrow(
      new Error('the CSV needs an email, phone, user_id or external_id:<namespace> column'),
    );
  });

  it('an external_id: column with an empty namespace', async () => {
    await expect(collect('email,external_id:\na@b.c,1\n')).rejects.toThrow(/needs a namespace/);
  });

  it.each([
    ['empty', ''],
    ['only blank lines', '\n\r\n  \n,,\n'],
  ])('a file that is %s has no header', async (_label, csv) => {
    await expect(collect(csv)).rejects.toThrow(/needs a header row/);
  });

  it('a malformed header', async () => {
    await expect(collect('email,"plan\na@b.c,pro\n')).rejects.toThrow(/header is malformed/);
  });
});

describe('parseCustomersCsv: values', () => {
  it('trims values and leaves empty ones out altogether', async () => {
    const customer = await onlyCustomer('email,phone,user_id,first_name,plan\n  a@b.c  ,  ,"",  Ada ,"  pro "\n');
    expect(customer).toEqual({ email: 'a@b.c', externalIds: {}, traits: { firstName: 'Ada', plan: 'pro' } });
    expect('phone' in customer).toBe(false);
    expect('userId' in customer).toBe(false);
    expect('createdAt' in customer).toBe(false);
  });

  it.each([
    ['true', true],
    ['false', false],
    ['TRUE', true],
    ['False', false],
    ['42', 42],
    ['3.5', 3.5],
    ['-12', -12],
    ['0', 0],
    ['0.25', 0.25],
    ['123456789', 123456789],
    ['007', '007'],
    ['00.5', '00.5'],
    ['4155550123', '4155550123'], // phone-like digit run
    ['+14155550123', '+14155550123'],
    ['415-555-0123', '415-555-0123'],
    ['1e5', '1e5'],
    ['1,000', '1,000'],
    ['.5', '.5'],
    ['5.', '5.'],
    ['yes', 'yes'],
    ['truth', 'truth'],
  ])('trait %j becomes %j', async (raw, expected) => {
    const customer = await onlyCustomer(`email,v\na@b.c,"${raw}"\n`);
    expect(customer.traits.v).toStrictEqual(expected);
  });

  it('leaves identifiers as strings even when they look like numbers', async () => {
    const customer = await onlyCustomer('user_id,phone\n42,4155550123\n');
    expect(customer.userId).toBe('42');
    expect(customer.phone).toBe('4155550123');
  });

  it('reads a column named id as a trait, not as the user id: it may be any system\'s row number', async () => {
    const customer = await onlyCustomer('id,email\n42,a@b.c\n');
    expect(customer.userId).toBeUndefined();
    expect(customer.traits.id).toBe(42);
  });

  it.each([
    ['2024-01-05', '2024-01-05T00:00:00.000Z'],
    ['2024-01-05T10:20:30Z', '2024-01-05T10:20:30.000Z'],
    ['2024-01-05T10:20:30.123456Z', '2024-01-05T10:20:30.123Z'],
    ['2024-01-05 10:20', '2024-01-05T10:20:00.000Z'], // spreadsheet style, no zone: read as UTC
    ['2024-01-05T10:20:30+02:00', '2024-01-05T08:20:30.000Z'],
    ['2024-01-05T10:20:30-0500', '2024-01-05T15:20:30.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ])('created_at %j becomes %j', async (raw, iso) => {
    const customer = await onlyCustomer(`email,created_at\na@b.c,${raw}\n`);
    expect(customer.createdAt).toBe(iso);
  });

  it.each(['2023-02-29', '2024-02-30', '2024-13-01', '2024-01-05T24:00:00Z', '42', 'yesterday', '01/02/2024'])(
    'leaves out created_at %j, which is not a real ISO date',
    async (raw) => {
      const customer = await onlyCustomer(`email,created_at\na@b.c,${raw}\n`);
      expect('createdAt' in customer).toBe(false);
      expect(customer.traits).toEqual({});
    },
  );
});

describe('parseCustomersCsv: row rejections', () => {
  it('rejects a row without any identifier and goes on', async () => {
    const outcomes = await collect('email,phone,external_id:shopify,plan\n,,,pro\nb@c.d,,,\n');
    expect(outcomes[0]).toEqual({
      line: 2,
      ok: false,
      reason: 'no identifier: needs email, phone, user_id or an external_id column',
    });
    expect(outcomes[1]).toMatchObject({ line: 3, ok: true });
  });

  it('rejects a row whose two columns of one meaning differ, rather than drop one; alike or one empty is fine', async () => {
    const outcomes = await collect('email,E-mail,plan\nd1@example.com,d2@example.com,pro\nsame@example.com,same@example.com,pro\n,only@example.com,free\n');
    expect(summary(outcomes)).toEqual([
      [2, 'two columns give a different email: d1@example.com and d2@example.com'],
      [3, 'same@example.com'],
      [4, 'only@example.com'],
    ]);
  });

  it('accepts any one identifier on its own', async () => {
    const outcomes = await collect('user_id,email,phone,external_id:shopify\nu1,,,\n,a@b.c,,\n,,555,\n,,,sh_1\n');
    expect(outcomes.map((o) => o.ok)).toEqual([true, true, true, true]);
  });

  it('rejects an email without "@", naming the value', async () => {
    const outcomes = await collect('email,user_id\nada.example.com,u1\n');
    expect(outcomes).toHaveLength(1);
    const [outcome] = outcomes;
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.reason).toContain('"ada.example.com"');
  });

  it('does not validate phones', async () => {
    const customer = await onlyCustomer('phone\nnot a phone\n');
    expect(customer.phone).toBe('not a phone');
  });

  it('rejects rows with too few or too many cells, naming both counts, and goes on', async () => {
    const outcomes = await collect('email,plan,country\na@b.c,pro\nb@c.d,pro,uk,extra\nc@d.e,free,fr\n');
    expect(outcomes).toEqual([
      { line: 2, ok: false, reason: 'expected 3 columns, found 2' },
      { line: 3, ok: false, reason: 'expected 3 columns, found 4' },
      expect.objectContaining({ line: 4, ok: true }),
    ]);
  });
});

describe('parseCustomersCsv: delimiters and left-out values', () => {
  it.each([
    ['semicolons', ';'],
    ['tabs', '\t'],
    ['pipes', '|'],
  ])('reads a file of %s by its header', async (_name, d) => {
    const customer = await onlyCustomer(`email${d}first_name${d}city\na@b.c${d}Ada${d}"Lisboa, PT${d} Alfama"\n`);
    expect(customer).toEqual({ email: 'a@b.c', externalIds: {}, traits: { firstName: 'Ada', city: `Lisboa, PT${d} Alfama` } });
  });

  it('keeps commas when the header has a semicolon only inside quotes', async () => {
    const customer = await onlyCustomer('email,"notes; misc"\na@b.c,x;y\n');
    expect(customer.traits).toEqual({ 'notes; misc': 'x;y' });
  });

  it('leaves out an impossible, foreign-format or implausible created_at, saying so, and keeps the row', async () => {
    const outcomes = await collect('email,created_at\na@b.c,2025-02-30\nb@c.d,15/01/2025\nc@d.e,2099-01-01\nd@e.f,1850-01-01\ne@f.g,2024-03-01\n', { now: Date.UTC(2026, 10, 28) });
    expect(outcomes.map((o) => (o.ok ? [o.customer.createdAt ?? null, o.warnings] : o.reason))).toEqual([
      [null, ['created_at "2025-02-30" left out: not a real date (YYYY-MM-DD, with a time if you like)']],
      [null, ['created_at "15/01/2025" left out: not a real date (YYYY-MM-DD, with a time if you like)']],
      [null, ['created_at "2099-01-01" left out: not between 1900 and tomorrow']],
      [null, ['created_at "1850-01-01" left out: not between 1900 and tomorrow']],
      ['2024-03-01T00:00:00.000Z', []],
    ]);
  });

  it('rejects a row whose two columns of one trait differ; alike is fine', async () => {
    const outcomes = await collect('email,plan,Plan,plan\na@b.c,pro,,free\nb@c.d,pro,,pro\n');
    expect(summary(outcomes)).toEqual([[2, 'two columns give a different plan: pro and free'], [3, 'b@c.d']]);
  });
});

describe('parseCustomersCsv: layout and line numbers', () => {
  it('numbers rows by physical line, the header being line 1', async () => {
    expect(summary(await collect('email\na@x\nb@x\nc@x'))).toEqual([
      [2, 'a@x'],
      [3, 'b@x'],
      [4, 'c@x'],
    ]);
  });

  it('yields nothing for a file with only a header', async () => {
    expect(await collect('email,plan\r\n')).toEqual([]);
  });

  it('counts old Mac line endings (lone CR) as lines too', async () => {
    expect(summary(await collect('email,note\ra@x,"one\rtwo"\rb@x,plain\r'))).toEqual([
      [2, 'a@x'],
      [4, 'b@x'],
    ]);
  });

  it('strips a UTF-8 byte order mark', async () => {
    const customer = await onlyCustomer('\uFEFFemail,plan\na@b.c,pro\n');
    expect(customer).toEqual({ email: 'a@b.c', externalIds: {}, traits: { plan: 'pro' } });
  });

  it('keeps commas, quotes and line breaks inside quoted fields', async () => {
    const customer = await onlyCustomer('email,address,note\na@b.c,"1 Main St, Springfield","said ""hi""\nthen left"\n');
    expect(customer.traits).toEqual({ address: '1 Main St, Springfield', note: 'said "hi"\nthen left' });
  });

  it('gives a multi-line record the line it starts on, and counts its lines for the rows after it', async () => {
    const csv = ['email,note', 'a@x,"one', 'two', 'three"', 'b@x,plain', 'c@x,"x', 'y"', 'd@x,end'].join('\n');
    expect(summary(await collect(csv))).toEqual([
      [2, 'a@x'],
      [5, 'b@x'],
      [6, 'c@x'],
      [8, 'd@x'],
    ]);
  });

  it('handles CRLF line endings, including CRLF inside quoted fields', async () => {
    const csv = ['email,note', 'a@x,"one', 'two"', 'b@x,plain', '', 'c@x,last', '', ''].join('\r\n');
    const outcomes = await collect(csv);
    expect(summary(outcomes)).toEqual([
      [2, 'a@x'],
      [4, 'b@x'],
      [6, 'c@x'],
    ]);
    expect(outcomes[0].ok && outcomes[0].customer.traits.note).toBe('one\r\ntwo');
    expect(outcomes[1].ok && outcomes[1].customer.traits.note).toBe('plain');
  });

  it('skips empty, whitespace-only and all-delimiter rows without an outcome but still counts their lines', async () => {
    const csv = '\n\nemail,plan\n\na@x,pro\n   \n,\n , \nb@x,free\n\n\n\n';
    expect(summary(await collect(csv))).toEqual([
      [5, 'a@x'],
      [9, 'b@x'],
    ]);
  });

  it('reports a wrong column count at the start line of a multi-line record', async () => {
    const outcomes = await collect('email,plan\na@x,"multi\nline",extra\nb@x,pro\n');
    expect(outcomes).toEqual([
      { line: 2, ok: false, reason: 'expected 2 columns, found 3' },
      expect.objectContaining({ line: 4, ok: true }),
    ]);
  });
});

describe('parseCustomersCsv: malformed CSV', () => {
  it('rejects an unclosed quote at the line where its record starts, then stops', async () => {
    const outcomes = await collect('email,note\na@x,fine\n\nb@x,"never closed\nc@x,lost\nd@x,lost\n');
    expect(outcomes).toHaveLength(2);
    expect(outcomes[0]).toMatchObject({ line: 2, ok: true });
    expect(outcomes[1]).toMatchObject({ line: 4, ok: false });
    expect(!outcomes[1].ok && outcomes[1].reason).toMatch(/malformed CSV: .*never closed/);
  });

  it('rejects stray characters after a closing quote, then stops', async () => {
    const outcomes = await collect('email,note\na@x,"ok"\nb@x,"bad"x\nc@x,lost\n');
    expect(summary(outcomes)).toEqual([
      [2, 'a@x'],
      [3, expect.stringMatching(/^malformed CSV: a closing quote/)],
    ]);
  });

  it('rejects a quote inside an unquoted field, then stops', async () => {
    const outcomes = await collect('email,height\na@x,5\'10"\nb@x,6\n');
    expect(summary(outcomes)).toEqual([[2, expect.stringMatching(/^malformed CSV: a quote appears inside an unquoted field/)]]);
  });

  it('gives up on a runaway quote early instead of buffering the whole file', async () => {
    const rest = 'x@y,filler\n'.repeat(120_000); // about 1.3 MB after the broken quote
    const outcomes = await collect(`email,note\na@x,"oops\n${rest}`);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ line: 2, ok: false });
  });
});

describe('parseCustomersCsv: streams', () => {
  const csv =
    '\uFEFFemail,note,city\r\n' +
    'a@x,"line one\r\nline two",Zürich\r\n' +
    '\r\n' +
    'b@x,"comma, inside",São Paulo\r\n' +
    'c@x,short\r\n' +
    'd@x,"🙂 emoji",Kraków\r\n';

  it.each([1, 2, 3, 7, 64, 1 << 16])('gives the same outcomes however the input is chunked (%i bytes)', async (size) => {
    const expected = await collect(csv);
    expect(summary(expected)).toEqual([
      [2, 'a@x'],
      [5, 'b@x'],
      [6, 'expected 3 columns, found 2'],
      [7, 'd@x'],
    ]);
    expect(await collect(chunked(csv, size))).toEqual(expected);
  });

  it('throws an error from the input stream rather than reporting it as a row', async () => {
    const failing = new Readable({
      read() {
        this.push('email\na@x\n');
        this.destroy(new Error('disk on fire'));
      },
    });
    await expect(collect(failing)).rejects.toThrow('disk on fire');
  });

  it('closes the input stream when the caller stops early', async () => {
    const source = Readable.from(['email\n', 'a@x\n', 'b@x\n', 'c@x\n']);
    for await (const outcome of parseCustomersCsv(source)) {
      expect(outcome.line).toBe(2);
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).toBe(true);
  });

  it('streams a 50,000-row file to the last line', async () => {
    const header = 'user_id,email,phone,first_name,last_name,plan,score,vip,external_id:shopify,created_at\n';
    const rows: string[] = [];
    for (let i = 0; i < 50_000; i++) {
      rows.push(
        `u${i},user${i}@example.com,+1415555${String(i % 10_000).padStart(4, '0')},"First ${i}",Last,pro,${i % 100},${i % 2 === 0},sh_${i},2024-01-05T10:00:00Z\n`,
      );
    }
    const file = header + rows.join('');

    let ok = 0;
    let last = 0;
    for await (const outcome of parseCustomersCsv(chunked(file, 64 * 1024))) {
      if (outcome.ok) ok++;
      last = outcome.line;
    }
    expect(ok).toBe(50_000);
    expect(last).toBe(50_001);
  });
});
