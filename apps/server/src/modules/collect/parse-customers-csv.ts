import { finished } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import { dateExists } from '../../platform/calendar-date.ts';
import { plausibleTime } from '../../platform/plausible-time.ts';

export type CsvCustomer = {
  readonly userId?: string;
  readonly email?: string;
  readonly phone?: string;
  /** From columns named 'external_id:<namespace>', keyed by namespace (e.g. 'shopify'). */
  readonly externalIds: Readonly<Record<string, string>>;
  /** Every other non-empty column, keyed by header (well-known ones as firstName, lastName, name). */
  readonly traits: Readonly<Record<string, string | number | boolean>>;
  /** ISO 8601 (UTC), from a 'created_at' column if present and parseable. */
  readonly createdAt?: string;
};

export type CsvRowOutcome =
  /** `warnings`: values of the row left out (an unreadable created_at), so nothing is dropped unsaid. */
  | { readonly line: number; readonly ok: true; readonly customer: CsvCustomer; readonly warnings: readonly string[] }
  | { readonly line: number; readonly ok: false; readonly reason: string };

const NO_IDENTIFIER_COLUMN = 'the CSV needs an email, phone, user_id or external_id:<namespace> column';
const NO_IDENTIFIER = 'no identifier: needs email, phone, user_id or an external_id column';

// Without a cap, an unclosed quote makes csv-parse swallow the rest of the file into one
// field before it can report anything; no real customer row comes near this size.
const MAX_RECORD_CHARS = 1_048_576;

/** What a header cell means for the values below it. */
type Column =
  | { readonly kind: 'userId' | 'email' | 'phone' | 'createdAt' | 'ignored' }
  | { readonly kind: 'externalId'; readonly namespace: string }
  | { readonly kind: 'trait'; readonly key: string };

// Keyed by the header lower-cased with spaces, underscores and dashes removed, so that
// 'User ID', 'user_id', 'userId' and 'E-mail' all find their column. A Map, not an object
// literal, so a header such as 'constructor' cannot match a prototype property.
const WELL_KNOWN_COLUMNS: ReadonlyMap<string, Column> = new Map<string, Column>([
  ['userid', { kind: 'userId' }],
  ['email', { kind: 'email' }],
  ['emailaddress', { kind: 'email' }],
  ['phone', { kind: 'phone' }],
  ['phonenumber', { kind: 'phone' }],
  ['mobile', { kind: 'phone' }],
  ['firstname', { kind: 'trait', key: 'firstName' }],
  ['lastname', { kind: 'trait', key: 'lastName' }],
  ['name', { kind: 'trait', key: 'name' }],
  ['fullname', { kind: 'trait', key: 'name' }],
  ['createdat', { kind: 'createdAt' }],
]);

const EXTERNAL_ID_HEADER = /^external[\s_-]*id\s*:(.*)$/i;

/** A file no row of which could be imported (no header, no identifier column): the message says why. */
export class CsvRefused extends Error {}

/**
 * Streams customer rows from CSV text; line numbers are 1-based physical lines of the file
 * (header is line 1). The delimiter is the header's: a comma, or the semicolon, tab or pipe
 * that spreadsheets set to other locales write.
 *
 * Yields one outcome per non-blank data row, in file order. Problems with the header (none,
 * or no identifier column) throw, since no row could be imported; problems with a row are
 * yielded as `ok: false` so the import can go on. Malformed CSV (such as an unclosed quote)
 * yields one rejection for the record where it starts and ends the stream, because the
 * parser cannot tell where the next record would begin. Errors reading `input` are thrown.
 */
export async function* parseCustomersCsv(input: NodeJS.ReadableStream | string, options: { readonly now?: number } = {}): AsyncGenerator<CsvRowOutcome> {
  const now = options.now ?? Date.now();
  const lines = new LineCounter();
  let columns: readonly Column[] | undefined;
  for await (const parsed of parseRecords(input)) {
    if (parsed.kind === 'malformed') {
      const reason = describeCsvError(parsed.error);
      if (columns === undefined) throw new CsvRefused(`the CSV header is malformed: ${reason}`);
      yield { line: lines.peek(parsed.raw), ok: false, reason: `malformed CSV: ${reason}; the rest of the file was not read` };
      return;
    }
    const line = lines.take(parsed.raw);
    // Whitespace-only lines and rows of bare delimiters (",,,", as spreadsheets leave at
    // the end of an export) carry nothing, so they are skipped rather than rejected.
    if (parsed.record.every((field) => field.trim() === '')) continue;
    if (columns === undefined) columns = readHeader(parsed.record);
    else yield readRow(parsed.record, line, columns, now);
  }
  if (columns === undefined) throw new CsvRefused('the CSV is empty: it needs a header row');
}

/** One CSV record with its raw text, or the malformed input that stopped the parser. */
type ParsedRecord =
  | { readonly kind: 'record'; readonly record: readonly string[]; readonly raw: string }
  | { readonly kind: 'malformed'; readonly error: CsvError; readonly raw: string };

// Strings are fed to the parser in slices of this many bytes, as a file stream would be.
const STRING_CHUNK_BYTES = 64 * 1024;

/**
 * Runs csv-parse over `input`, yielding records in order and, if the CSV is malformed,
 * a final 'malformed' item where it broke.
 *
 * Records are collected through `on_record` rather than read from the parser's output:
 * on malformed input csv-parse destroys its stream, which discards records it had already
 * parsed but nobody had read yet, i.e. the good rows just before the bad one. Reading the
 * next chunk only after the records of this one have been consumed is the backpressure,
 * and keeps no more than one chunk's records in memory.
 */
async function* parseRecords(input: NodeJS.ReadableStream | string): AsyncGenerator<ParsedRecord> {
  const parsed: ParsedRecord[] = [];
  const parserFor = (delimiter: string) => {
    const parser = parse({
      delimiter,
      bom: true,
      // Each record comes with its raw text, which is how we count physical lines (see LineCounter).
      raw: true,
      // We reject rows with the wrong number of cells ourselves, so one bad row does not end the import.
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: MAX_RECORD_CHARS,
      on_record: (item) => {
        parsed.push({ kind: 'record', ...asRawRecord(item) });
        return null; // nothing reaches the output side; we already have the record
      },
    });
    // Errors are taken from the write callback and finished() below; this listener only stops
    // the 'error' event, which Node emits as well, from crashing the process.
    parser.on('error', () => {});
    return parser;
  };
  let parser: ReturnType<typeof parserFor> | undefined;
  try {
    for await (const chunk of chunksOf(input)) {
      // The header (in the first chunk) says which delimiter the file uses.
      const current = (parser ??= parserFor(delimiterOf(chunk)));
      const error = await new Promise<Error | null | undefined>((resolve) => current.write(chunk, resolve));
      yield* parsed.splice(0);
      if (error) {
        yield malformed(error);
        return;
      }
    }
    const last = (parser ??= parserFor(','));
    last.end();
    // The final flush parses a last line without a line break, and finds unclosed quotes.
    const error = await finished(last, { readable: false }).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    yield* parsed.splice(0);
    if (error !== undefined) yield malformed(error);
  } finally {
    // A no-op after a normal end; otherwise frees the parser when the caller stops early.
    parser?.destroy();
  }
}

const DELIMITERS = [',', ';', '\t', '|'] as const;

/** The delimiter of the header line (in the first chunk): the candidate found most often outside quotes, a comma when none is. */
function delimiterOf(chunk: string | Buffer): string {
  const text = (typeof chunk === 'string' ? chunk : chunk.toString('utf8')).replace(/^\uFEFF/, '');
  const counts = new Map<string, number>();
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && (DELIMITERS as readonly string[]).includes(char)) counts.set(char, (counts.get(char) ?? 0) + 1);
  }
  let best = ',';
  for (const delimiter of DELIMITERS) if ((counts.get(delimiter) ?? 0) > (counts.get(best) ?? 0)) best = delimiter;
  return best;
}

async function* chunksOf(input: NodeJS.ReadableStream | string): AsyncGenerator<string | Buffer> {
  if (typeof input !== 'string') {
    // Returning early from this loop destroys the stream, so the caller's file is closed.
    yield* input;
    return;
  }
  // Sliced as bytes, not UTF-16 units, so no surrogate pair is cut in half.
  const bytes = Buffer.from(input, 'utf8');
  for (let start = 0; start < bytes.length; start += STRING_CHUNK_BYTES) {
    yield bytes.subarray(start, start + STRING_CHUNK_BYTES);
  }
}

/** A CSV syntax error becomes an item; anything else (a bug, a failing disk) is thrown. */
function malformed(error: unknown): ParsedRecord {
  if (!(error instanceof CsvError)) throw error;
  // The error carries the raw text of the record it broke, which locates that record's start.
  return { kind: 'malformed', error, raw: typeof error.raw === 'string' ? error.raw : '' };
}

/**
 * Turns each record's raw text into the physical line the record starts on.
 *
 * csv-parse's `info.lines` is not enough: it is the line a record *ends* on, and it counts a
 * CRLF inside a quoted field as two lines, which shifts every later row. Instead we count
 * line breaks in the raw text ourselves. Each record's raw text runs from the end of the
 * previous record, so it starts with the breaks of any skipped empty lines; and csv-parse
 * drops the LF of a CRLF record delimiter from it, which the CR still counts for.
 */
class LineCounter {
  /** The physical line the next raw text starts on. */
  private next = 1;

  /** The start line of the record whose raw text this is, moving past it. */
  take(raw: string): number {
    const start = this.peek(raw);
    this.next += countLineBreaks(raw, raw.length);
    return start;
  }

  /** The start line of a record with this raw text, without moving past it. */
  peek(raw: string): number {
    let leading = 0;
    while (leading < raw.length && (raw[leading] === '\r' || raw[leading] === '\n')) leading++;
    return this.next + countLineBreaks(raw, leading);
  }
}

/** Line breaks in text[0, end): CRLF, LF and a lone CR each end one line, as editors show them. */
function countLineBreaks(text: string, end: number): number {
  let breaks = 0;
  for (let i = 0; i < end; i++) {
    const char = text.charCodeAt(i);
    if (char === 10) breaks++;
    else if (char === 13) {
      breaks++;
      if (text.charCodeAt(i + 1) === 10) i++;
    }
  }
  return breaks;
}

function asRawRecord(item: unknown): { readonly record: readonly string[]; readonly raw: string } {
  if (typeof item === 'object' && item !== null && 'record' in item && 'raw' in item) {
    const { record, raw } = item;
    if (isStringArray(record) && typeof raw === 'string') return { record, raw };
  }
  // Only reachable if csv-parse changes its output shape for these options.
  throw new Error('csv-parse returned an unexpected record shape');
}

function isStringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value) && (value as readonly unknown[]).every((field) => typeof field === 'string');
}

function readHeader(cells: readonly string[]): readonly Column[] {
  const columns = cells.map(readHeaderCell);
  const hasIdentifier = columns.some(
    (column) =>
      column.kind === 'userId' || column.kind === 'email' || column.kind === 'phone' || column.kind === 'externalId',
  );
  if (!hasIdentifier) throw new CsvRefused(NO_IDENTIFIER_COLUMN);
  return columns;
}

function readHeaderCell(cell: string): Column {
  const header = cell.trim();
  // A blank header names nothing; its values have no key to live under.
  if (header === '') return { kind: 'ignored' };
  const externalId = EXTERNAL_ID_HEADER.exec(header);
  if (externalId !== null) {
    const namespace = (externalId[1] ?? '').trim();
    if (namespace === '') throw new CsvRefused(`column "${header}" needs a namespace, e.g. external_id:shopify`);
    return { kind: 'externalId', namespace };
  }
  return WELL_KNOWN_COLUMNS.get(header.toLowerCase().replace(/[\s_-]/g, '')) ?? { kind: 'trait', key: header };
}

const COLUMN_WORDS = { userId: 'user_id', email: 'email', phone: 'phone' } as const;

function readRow(fields: readonly string[], line: number, columns: readonly Column[], now: number): CsvRowOutcome {
  if (fields.length !== columns.length) {
    return { line, ok: false, reason: `expected ${columns.length} columns, found ${fields.length}` };
  }
  const externalIds: Record<string, string> = {};
  const traits: Record<string, string | number | boolean> = {};
  const customer: Mutable<CsvCustomer> = { externalIds, traits };
  const warnings: string[] = [];
  let hasExternalId = false;

  // Two columns may mean the same thing (say 'email' and 'E-mail', or 'plan' twice): one filled in,
  // or both alike, is fine; two different values cannot both be the one email, and keeping either
  // would drop the other.
  for (let index = 0; index < columns.length; index++) {
    const column = columns[index];
    const value = fields[index].trim();
    if (value === '') continue;
    switch (column.kind) {
      case 'userId':
      case 'email':
      case 'phone': {
        const before = customer[column.kind];
        if (before !== undefined && before !== value) return { line, ok: false, reason: `two columns give a different ${COLUMN_WORDS[column.kind]}: ${before} and ${value}` };
        customer[column.kind] = value;
        break;
      }
      case 'createdAt': {
        // An unreadable date is left out rather than failing a row that has everything else, and said.
        const createdAt = parseTimestamp(value);
        if (createdAt === undefined) warnings.push(`created_at ${JSON.stringify(value)} left out: not a real date (YYYY-MM-DD, with a time if you like)`);
        else if (!plausibleTime(Date.parse(createdAt), now)) warnings.push(`created_at ${JSON.stringify(value)} left out: not between 1900 and tomorrow`);
        else customer.createdAt = createdAt;
        break;
      }
      case 'externalId':
        setOwn(externalIds, column.namespace, value);
        hasExternalId = true;
        break;
      case 'trait': {
        const traitValue = toTraitValue(value);
        if (Object.hasOwn(traits, column.key) && traits[column.key] !== traitValue) return { line, ok: false, reason: `two columns give a different ${column.key}: ${traits[column.key]} and ${value}` };
        setOwn(traits, column.key, traitValue);
        break;
      }
      case 'ignored':
        break;
    }
  }

  // Phones are left alone: the caller normalises them with the workspace's default country.
  if (customer.email !== undefined && !customer.email.includes('@')) {
    return { line, ok: false, reason: `invalid email ${JSON.stringify(customer.email)}: it has no "@"` };
  }
  if (customer.userId === undefined && customer.email === undefined && customer.phone === undefined && !hasExternalId) {
    return { line, ok: false, reason: NO_IDENTIFIER };
  }
  return { line, ok: true, customer, warnings };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Sets an own property, so a header such as '__proto__' is a key and not the object's prototype. */
function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

// Integers of up to 9 digits, optionally signed and with a fraction. No leading zeros
// ('007' is a code, not seven) and no exponents. Longer digit runs are phone numbers,
// account numbers and the like, whose digits matter more than their value.
const PLAIN_NUMBER = /^-?(?:0|[1-9]\d{0,8})(?:\.\d+)?$/;

function toTraitValue(value: string): string | number | boolean {
  // Spreadsheets write booleans as TRUE and FALSE.
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (PLAIN_NUMBER.test(value)) return Number(value);
  return value;
}

// ISO 8601 dates and date-times, with 'T' or a space (as spreadsheets export) between them.
// Other shapes are left out: Date.parse would read '42' as the year 2042, and 01/02/2024
// means different days in different countries.
const ISO_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** An ISO 8601 timestamp in UTC, or undefined if the value is not a real date. */
function parseTimestamp(value: string): string | undefined {
  const match = ISO_TIMESTAMP.exec(value);
  if (match === null) return undefined;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone = 'Z'] = match;
  if (!dateExists(Number(year), Number(month), Number(day))) return undefined;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  // A time without a zone is read as UTC, so an import means the same on every server.
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.length > 3 ? zone.slice(-2) : '00'}`;
  const millis = fraction === '' ? '' : `.${fraction.slice(0, 3).padEnd(3, '0')}`;
  const time = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${millis}${offset}`);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

function describeCsvError(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field starting in this record is never closed';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a closing quote is followed by something other than a comma or line end (write a quote inside a quoted field as "")';
    case 'INVALID_OPENING_QUOTE':
      return 'a quote appears inside an unquoted field (quote the whole field and write the quote as "")';
    case 'CSV_MAX_RECORD_SIZE':
      return `a record is longer than ${MAX_RECORD_CHARS} characters, probably because a quote is never closed`;
    default:
      return error.message;
  }
}
