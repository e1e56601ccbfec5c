/**
 * Synthetic sample data for the "Demo" workspace loaded on first start.
 *
 * Produces Segment-spec messages (plain objects) for a few thousand fictional
 * customers over the last N months. The server feeds them through its normal
 * tracking pipeline, so the demo exercises the same code paths as live traffic:
 * anonymous browsing, sign-up + identify, second-device identity merges, orders,
 * refunds, email / call-centre / store touchpoints, NPS, and customers who drift
 * away (so at-risk and churn views have something to show).
 *
 * Everything is driven by a seeded PRNG: the same options always produce the
 * same messages, which keeps the demo stable across restarts and testable.
 */
import { seededRandom } from '../../platform/seeded-random.ts';

export type DemoMessage = {
  readonly type: 'identify' | 'track' | 'page';
  readonly messageId: string;
  readonly anonymousId?: string;
  readonly userId?: string;
  readonly timestamp: string;
  readonly event?: string;
  readonly name?: string;
  readonly properties?: Readonly<Record<string, unknown>>;
  readonly traits?: Readonly<Record<string, unknown>>;
  readonly context?: Readonly<Record<string, unknown>>;
};

export type DemoOptions = {
  readonly customers: number;
  readonly months: number;
  readonly seed: number;
  readonly now: Date;
};

export const DEMO_BUSINESS_UNITS: readonly { readonly key: string; readonly name: string }[] = Object.freeze([
  Object.freeze({ key: 'outdoor', name: 'Northwind Outdoor' }),
  Object.freeze({ key: 'home', name: 'Northwind Home' }),
]);

/** Yields messages in ascending timestamp order (so profiles build up as they would live). */
export function generateDemoMessages(options: DemoOptions): Generator<DemoMessage> {
  // Validate eagerly (a generator body would only run on the first next()).
  const { customers, months, seed, now } = options;
  if (!Number.isInteger(customers) || customers < 0) throw new RangeError('customers must be a non-negative integer');
  if (!Number.isInteger(months) || months < 1) throw new RangeError('months must be a positive integer');
  if (!Number.isFinite(seed)) throw new RangeError('seed must be a finite number');
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new RangeError('now must be a valid Date');
  return emitSorted(simulateAll(options));
}

// ---------------------------------------------------------------------------
// Seeded randomness
// ---------------------------------------------------------------------------

type Rng = () => number;


/**
 * One independent stream per person (seed, index), so a person's story doesn't
 * change when other people's stories consume more or fewer random numbers.
 */
function deriveSeed(seed: number, stream: number): number {
  let h = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

const intBetween = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
const chance = (rng: Rng, p: number): boolean => rng() < p;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

function pickWeighted<T>(rng: Rng, items: readonly (readonly [T, number])[]): T {
  const total = items.reduce((sum, [, w]) => sum + w, 0);
  let r = rng() * total;
  for (const [item, weight] of items) {
    r -= weight;
    if (r < 0) return item;
  }
  return items[items.length - 1][0];
}

const digits = (rng: Rng, count: number): string => {
  let out = '';
  for (let i = 0; i < count; i++) out += String(Math.floor(rng() * 10));
  return out;
};

/** RFC 4122 v4 layout, but from the seeded PRNG so ids are reproducible. */
function uuidFrom(rng: Rng): string {
  // At most 4 hex digits per draw: a float from seededRandom (mulberry32) only carries 32 random bits.
  const hex = (n: number): string => {
    let out = '';
    while (out.length < n) out += Math.floor(rng() * 0x10000).toString(16).padStart(4, '0');
    return out.slice(0, n);
  };
  const variant = (8 + Math.floor(rng() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

// ---------------------------------------------------------------------------
// Reference data
// ---------------------------------------------------------------------------

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTH = 30 * DAY;

type Culture = 'english' | 'spanish' | 'portuguese' | 'german' | 'indian' | 'chinese' | 'nigerian';

/** Names are paired within a culture so "Priya Sharma" is likelier than "Priya Okafor". */
const NAMES: Readonly<Record<Culture, { readonly first: readonly string[]; readonly last: readonly string[] }>> = {
  english: {
    first: ['James', 'Olivia', 'Emily', 'Jack', 'Sophie', 'Michael', 'Sarah', 'Daniel'],
    last: ['Smith', 'Johnson', 'Brown', 'Taylor', 'Wilson', 'Clarke', 'Walker'],
  },
  spanish: {
    first: ['Sofía', 'Mateo', 'Lucía', 'Alejandro', 'Valentina', 'Diego'],
    last: ['García', 'Martínez', 'López', 'Hernández', 'Rodríguez', 'Sánchez'],
  },
  portuguese: {
    first: ['João', 'Ana', 'Gabriel', 'Beatriz', 'Lucas', 'Mariana'],
    last: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Costa', 'Pereira'],
  },
  german: {
    first: ['Lukas', 'Anna', 'Felix', 'Lena', 'Jonas', 'Hannah'],
    last: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Becker'],
  },
  indian: {
    first: ['Aarav', 'Priya', 'Arjun', 'Ananya', 'Rohan', 'Kavya'],
    last: ['Sharma', 'Patel', 'Iyer', 'Reddy', 'Gupta', 'Nair'],
  },
  chinese: {
    first: ['Wei', 'Mei', 'Jun', 'Xiu', 'Hao', 'Lin'],
    last: ['Wang', 'Li', 'Zhang', 'Chen', 'Liu', 'Huang'],
  },
  nigerian: {
    first: ['Chinedu', 'Ngozi', 'Oluwaseun', 'Amaka', 'Emeka', 'Funmilayo'],
    last: ['Okafor', 'Adeyemi', 'Okonkwo', 'Balogun', 'Eze', 'Nwosu'],
  },
};

type City = { readonly name: string; readonly areaCode?: string };
type Country = {
  readonly name: string;
  readonly weight: number;
  readonly cities: readonly City[];
  readonly cultures: readonly (readonly [Culture, number])[];
  /** E.164, consistent with the city where the number plan is geographic. */
  readonly phone: (rng: Rng, city: City) => string;
  /** What the shops charge there: a profile's revenue is summed per currency. */
  readonly money: Money;
};

/** A local price list: ISO 4217 code, and local units per dollar of the catalogue's prices. */
type Money = { readonly currency: string; readonly perDollar: number };

const COUNTRIES: readonly Country[] = [
  {
    name: 'United States',
    weight: 45,
    cities: [
      { name: 'San Francisco', areaCode: '415' },
      { name: 'New York', areaCode: '212' },
      { name: 'Chicago', areaCode: '312' },
      { name: 'Boston', areaCode: '617' },
      { name: 'Austin', areaCode: '512' },
      { name: 'Seattle', areaCode: '206' },
    ],
    cultures: [['english', 50], ['spanish', 20], ['chinese', 10], ['indian', 10], ['nigerian', 5], ['german', 5]],
    // The 555 exchange is the conventional "not a real subscriber" range, and still passes validation.
    phone: (rng, city) => `+1${city.areaCode ?? '415'}555${digits(rng, 4)}`,
    money: { currency: 'USD', perDollar: 1 },
  },
  {
    name: 'United Kingdom',
    weight: 20,
    cities: [{ name: 'London' }, { name: 'Manchester' }, { name: 'Bristol' }, { name: 'Edinburgh' }],
    cultures: [['english', 60], ['indian', 18], ['nigerian', 10], ['chinese', 7], ['german', 5]],
    // UK mobiles are not geographic: +44 7xxx xxxxxx anywhere. 74/75/78 are fully allocated to
    // mobile networks, so every number passes libphonenumber validation (76 pagers, 7700 and 7911 blocks do not).
    phone: (rng) => `+447${pick(rng, ['4', '5', '8'])}${digits(rng, 8)}`,
    money: { currency: 'GBP', perDollar: 0.8 },
  },
  {
    name: 'Brazil',
    weight: 17,
    cities: [
      { name: 'São Paulo', areaCode: '11' },
      { name: 'Rio de Janeiro', areaCode: '21' },
      { name: 'Belo Horizonte', areaCode: '31' },
    ],
    cultures: [['portuguese', 80], ['spanish', 10], ['german', 5], ['chinese', 5]],
    // Mobile: +55 <area> 9xxxx-xxxx.
    phone: (rng, city) => `+55${city.areaCode ?? '11'}9${intBetween(rng, 6, 9)}${digits(rng, 7)}`,
    money: { currency: 'BRL', perDollar: 5.5 },
  },
  {
    name: 'Germany',
    weight: 18,
    cities: [{ name: 'Berlin' }, { name: 'Munich' }, { name: 'Hamburg' }, { name: 'Cologne' }],
    cultures: [['german', 75], ['english', 5], ['spanish', 5], ['portuguese', 5], ['indian', 5], ['chinese', 5]],
    // German mobiles are not geographic either: +49 15x/16x/17x.
    phone: (rng) => `+49${pick(rng, ['151', '160', '170', '176'])}${digits(rng, 8)}`,
    money: { currency: 'EUR', perDollar: 0.92 },
  },
];

/** Reserved example domains (RFC 2606): the demo must never be able to email a real inbox. */
const EMAIL_DOMAINS = ['example.com', 'example.net', 'example.org', 'mail.example'] as const;

type UnitKey = 'outdoor' | 'home';
type Product = {
  readonly product_id: string;
  readonly sku: string;
  readonly name: string;
  readonly price: number;
  readonly category: string;
};
type Unit = {
  readonly key: UnitKey;
  readonly name: string;
  readonly host: string;
  readonly products: readonly Product[];
  readonly categories: readonly string[];
  readonly campaigns: readonly (readonly [name: string, subject: string])[];
};

function defineUnit(key: UnitKey, host: string, products: readonly Omit<Product, 'product_id'>[], campaigns: Unit['campaigns']): Unit {
  const name = DEMO_BUSINESS_UNITS.find((u) => u.key === key)?.name ?? key;
  const withIds = products.map((p, i) => ({ product_id: `${key}-${String(i + 1).padStart(3, '0')}`, ...p }));
  return { key, name, host, products: withIds, categories: [...new Set(products.map((p) => p.category))], campaigns };
}

const UNITS: readonly Unit[] = [
  defineUnit(
    'outdoor',
    'outdoor.northwind.example',
    [
      { sku: 'NWO-HB-TRL', name: 'Trailblazer Hiking Boot', price: 149, category: 'Hiking Boots' },
      { sku: 'NWO-HB-ALP', name: 'Alpine Mid Waterproof Boot', price: 189, category: 'Hiking Boots' },
      { sku: 'NWO-TN-S2P', name: 'Summit 2-Person Tent', price: 329, category: 'Tents' },
      { sku: 'NWO-TN-B4P', name: 'Basecamp 4-Person Tent', price: 489, category: 'Tents' },
      { sku: 'NWO-BP-R40', name: 'Ridge 40L Backpack', price: 119, category: 'Backpacks' },
      { sku: 'NWO-BP-D22', name: 'Daypack 22L', price: 69, category: 'Backpacks' },
      { sku: 'NWO-RJ-STM', name: 'Storm Shell Rain Jacket', price: 189, category: 'Rain Jackets' },
      { sku: 'NWO-RJ-PCK', name: 'Packable Rain Jacket', price: 99, category: 'Rain Jackets' },
      { sku: 'NWO-CG-STV', name: 'Compact Camp Stove', price: 59.95, category: 'Camping Gear' },
      { sku: 'NWO-CG-SLB', name: 'Down Sleeping Bag', price: 229, category: 'Camping Gear' },
    ],
    [
      ['Spring Trail Sale', 'Up to 30% off trail footwear'],
      ['New Tents Have Landed', 'Meet the Summit 2-Person Tent'],
      ['Weekend Adventure Picks', 'Your weekend, sorted'],
      ['Rain-Ready Gear', 'Stay dry out there'],
      ['Members Early Access', 'Your early access starts now'],
      ['Camp Kitchen Essentials', 'Cook better outdoors'],
    ],
  ),
  defineUnit(
    'home',
    'home.northwind.example',
    [
      { sku: 'NWH-SF-LND', name: 'Linden 3-Seat Sofa', price: 1299, category: 'Sofas' },
      { sku: 'NWH-SF-HRB', name: 'Harbor Corner Sofa', price: 1849, category: 'Sofas' },
      { sku: 'NWH-LP-ARC', name: 'Arc Floor Lamp', price: 179, category: 'Lamps' },
      { sku: 'NWH-LP-CER', name: 'Ceramic Table Lamp', price: 89, category: 'Lamps' },
      { sku: 'NWH-RG-WOL', name: 'Hand-Tufted Wool Rug', price: 349, category: 'Rugs' },
      { sku: 'NWH-RG-RUN', name: 'Flatweave Runner', price: 119, category: 'Rugs' },
      { sku: 'NWH-BD-LIN', name: 'Linen Duvet Cover Set', price: 159, category: 'Bedding' },
      { sku: 'NWH-BD-COT', name: 'Organic Cotton Sheet Set', price: 99, category: 'Bedding' },
      { sku: 'NWH-DN-OAK', name: 'Oak Dining Table', price: 899, category: 'Dining' },
      { sku: 'NWH-DN-CHR', name: 'Set of 2 Dining Chairs', price: 329, category: 'Dining' },
    ],
    [
      ['Cozy Living Event', 'Make your living room cozier'],
      ['Lighting Refresh', 'Brighten up with new lamps'],
      ['Bedroom Reset', 'Sleep better tonight'],
      ['Dining Room Edit', 'Gather round the table'],
      ['Rug Week', 'Every rug 20% off this week'],
      ['Members Early Access', 'Your early access starts now'],
    ],
  ),
];

const CALL_REASONS = ['Order status', 'Return request', 'Product question', 'Billing', 'Delivery issue', 'Account help'] as const;
const CALL_OUTCOMES: readonly (readonly [string, number])[] = [
  ['resolved', 70],
  ['callback_scheduled', 12],
  ['escalated', 10],
  ['unresolved', 8],
];
const AGENTS = ['Maria L.', 'James K.', 'Aisha O.', 'Lukas W.', 'Priya S.', 'Carlos M.'] as const;
const NPS_COMMENTS = {
  promoter: ['Great quality and fast delivery.', 'Staff in store were super helpful.', 'Love the products, will buy again.'],
  passive: ['Good overall, delivery could be faster.', 'Decent prices, the website is a bit slow.'],
  detractor: ['My order arrived late and support was slow.', 'The refund took far too long.', 'Product broke after two weeks.'],
} as const;

// ---------------------------------------------------------------------------
// Simulation
// ---------------------------------------------------------------------------

type Channel = 'web' | 'app' | 'email' | 'phone' | 'store';

/** A browser or app install; it carries its own anonymousId and learns the userId when it identifies. */
type Device = { readonly anonymousId: string; readonly channel: 'web' | 'app'; identifiedAt: number };

type Person = {
  readonly userId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly phone?: string;
  readonly city: string;
  readonly country: string;
  readonly money: Money;
  readonly unit: Unit;
};

type Campaign = { readonly id: string; readonly name: string; readonly subject: string; readonly unit: Unit; readonly sentAt: number };

/** A message plus its sort keys; messageId and the ISO timestamp are added after the global sort. */
type Pending = {
  readonly ts: number;
  readonly seq: number;
  readonly message: Omit<DemoMessage, 'messageId' | 'timestamp'>;
};

type Run = {
  readonly seed: number;
  readonly start: number;
  readonly now: number;
  readonly campaigns: readonly Campaign[];
  readonly emails: Set<string>;
  readonly phones: Set<string>;
  readonly out: Pending[];
};

function simulateAll(options: DemoOptions): Pending[] {
  const now = options.now.getTime();
  const startDate = new Date(now);
  startDate.setUTCMonth(startDate.getUTCMonth() - options.months);
  const start = startDate.getTime();
  const run: Run = {
    seed: options.seed,
    start,
    now,
    campaigns: buildCampaignCalendar(start, now),
    emails: new Set(),
    phones: new Set(),
    out: [],
  };
  for (let i = 0; i < options.customers; i++) simulatePerson(run, i);
  // Per-person stories interleave in time; `seq` keeps same-millisecond events in creation order.
  return run.out.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
}

function* emitSorted(pending: readonly Pending[]): Generator<DemoMessage> {
  for (let i = 0; i < pending.length; i++) {
    const { ts, message } = pending[i];
    const { type, ...rest } = message;
    yield { type, messageId: `demo-${i + 1}`, timestamp: new Date(ts).toISOString(), ...rest };
  }
}

/** Each unit mails its list every two weeks; the units are offset by a week. */
function buildCampaignCalendar(start: number, now: number): Campaign[] {
  const campaigns: Campaign[] = [];
  UNITS.forEach((unit, u) => {
    let n = 0;
    for (let sentAt = start + (3 + 7 * u) * DAY + 10 * HOUR; sentAt < now; sentAt += 14 * DAY) {
      const [name, subject] = unit.campaigns[n % unit.campaigns.length];
      campaigns.push({ id: `cmp_${unit.key}_${String(++n).padStart(3, '0')}`, name, subject, unit, sentAt });
    }
  });
  return campaigns;
}

function createPerson(run: Run, rng: Rng, index: number): Person {
  const country = pickWeighted(rng, COUNTRIES.map((c) => [c, c.weight] as const));
  const city = pick(rng, country.cities);
  const names = NAMES[pickWeighted(rng, country.cultures)];
  const firstName = pick(rng, names.first);
  const lastName = pick(rng, names.last);
  return {
    userId: `u_${index + 1}`,
    firstName,
    lastName,
    email: uniqueEmail(run, rng, firstName, lastName, index),
    phone: chance(rng, 0.6) ? uniquePhone(run, rng, country, city) : undefined,
    city: city.name,
    country: country.name,
    money: country.money,
    unit: chance(rng, 0.55) ? UNITS[0] : UNITS[1],
  };
}

/** Emails and phones are identity keys downstream, so two demo people must never share one. */
function uniqueEmail(run: Run, rng: Rng, firstName: string, lastName: string, index: number): string {
  const f = asciiSlug(firstName);
  const l = asciiSlug(lastName);
  const local = pick(rng, [`${f}.${l}`, `${f}${l}`, `${f[0]}${l}`, `${f}_${l}`]);
  const domain = pick(rng, EMAIL_DOMAINS);
  // The name pool is small, so clashes are common: try what people do (add a number or birth year) first.
  const candidates = [local, ...Array.from({ length: 4 }, () => `${local}${chance(rng, 0.5) ? intBetween(rng, 1, 99) : intBetween(rng, 1960, 2005)}`)];
  const email = candidates.map((c) => `${c}@${domain}`).find((c) => !run.emails.has(c)) ?? `${local}.${index + 1}@${domain}`;
  run.emails.add(email);
  return email;
}

function uniquePhone(run: Run, rng: Rng, country: Country, city: City): string | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    const phone = country.phone(rng, city);
    if (!run.phones.has(phone)) {
      run.phones.add(phone);
      return phone;
    }
  }
  return undefined;
}

function asciiSlug(value: string): string {
  return value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z]/g, '').toLowerCase();
}

/** Writes one person's messages, dropping anything after their last active moment. */
class Timeline {
  constructor(
    private readonly run: Run,
    private readonly person: Person,
    private readonly end: number,
  ) {}

  /** True if the event was kept (i.e. happened before the person went quiet). */
  track(device: Device, ts: number, event: string, properties: Record<string, unknown>, channel: Channel = device.channel, unit: Unit = this.person.unit): boolean {
    return this.push(device, ts, { type: 'track', event, properties }, channel, unit);
  }

  page(device: Device, ts: number, unit: Unit, pageName: string): boolean {
    const path = pageName === 'Home' ? '/' : `/${pageName.toLowerCase().replace(/\s+/g, '-')}`;
    const properties = { path, url: `https://${unit.host}${path}`, title: `${pageName} | ${unit.name}` };
    return this.push(device, ts, { type: 'page', name: pageName, properties }, device.channel, unit);
  }

  /** Links the device's anonymousId to the userId; later events on the device carry both. */
  identify(device: Device, ts: number, plan: string | undefined): boolean {
    const p = this.person;
    const traits: Record<string, unknown> = {
      email: p.email,
      firstName: p.firstName,
      lastName: p.lastName,
      name: `${p.firstName} ${p.lastName}`,
      ...(p.phone ? { phone: p.phone } : {}),
      city: p.city,
      country: p.country,
      ...(plan ? { plan } : {}),
    };
    device.identifiedAt = ts;
    return this.push(device, ts, { type: 'identify', traits }, device.channel, p.unit);
  }

  private push(device: Device, ts: number, body: Omit<DemoMessage, 'messageId' | 'timestamp' | 'anonymousId' | 'userId' | 'context'>, channel: Channel, unit: Unit): boolean {
    if (ts > this.end) return false;
    const known = ts >= device.identifiedAt;
    const message = {
      anonymousId: device.anonymousId,
      ...(known ? { userId: this.person.userId } : {}),
      ...body,
      context: { channel, businessUnit: unit.key },
    };
    this.run.out.push({ ts: Math.round(ts), seq: this.run.out.length, message });
    return true;
  }
}

/** One person's story: anonymous visits, maybe sign-up, then orders and touchpoints until they go quiet. */
function simulatePerson(run: Run, index: number): void {
  const rng = seededRandom(deriveSeed(run.seed, index));
  const person = createPerson(run, rng, index);
  const span = run.now - run.start;

  // ~20% churn: first seen early in the period and silent after a few weeks,
  // so their last events sit many months before `now`.
  const churned = chance(rng, 0.2);
  const latestFirstSeen = Math.max(run.start, run.now - HOUR);
  const firstSeen = Math.min(latestFirstSeen, churned ? run.start + rng() * span * 0.4 : run.start + span * rng() ** 0.8);
  const end = churned ? Math.min(run.now, firstSeen + (7 + rng() * 53) * DAY) : run.now;
  const tl = new Timeline(run, person, end);
  const otherUnit = person.unit === UNITS[0] ? UNITS[1] : UNITS[0];
  const browsedUnit = () => (chance(rng, 0.85) ? person.unit : otherUnit);

  const primary: Device = { anonymousId: uuidFrom(rng), channel: chance(rng, 0.75) ? 'web' : 'app', identifiedAt: Infinity };
  const afterFirstVisit = browse(tl, rng, primary, firstSeen, person.unit, intBetween(rng, 1, 4));

  // ~45% never sign up: a few more anonymous visits, then they drift off.
  if (!chance(rng, 0.55)) {
    for (let v = intBetween(rng, 0, 3); v > 0; v--) browse(tl, rng, primary, firstSeen + HOUR + rng() * 60 * DAY, browsedUnit(), intBetween(rng, 1, 3));
    return;
  }

  // Sign up in the first session, or come back within ~6 weeks to do it.
  let signUpAt = afterFirstVisit + intBetween(rng, 20, 90) * SECOND;
  if (chance(rng, 0.5)) {
    const returnAt = firstSeen + 2 * HOUR + rng() * 45 * DAY;
    if (chance(rng, 0.5)) browse(tl, rng, primary, firstSeen + HOUR + rng() * (returnAt - firstSeen - 2 * HOUR), browsedUnit(), intBetween(rng, 1, 3));
    signUpAt = browse(tl, rng, primary, returnAt, person.unit, intBetween(rng, 1, 3)) + intBetween(rng, 20, 90) * SECOND;
  }
  const identifiedAt = signUpAt + 2 * SECOND;
  if (identifiedAt > end) return; // went quiet before finishing sign-up
  const plan = chance(rng, 0.4) ? pick(rng, ['Rewards', 'Rewards Plus']) : undefined;
  tl.track(primary, signUpAt, 'Signed Up', { method: pick(rng, ['email', 'email', 'google', 'apple']), ...(plan ? { plan } : {}) });
  tl.identify(primary, identifiedAt, plan);

  // ~15% later use a second device: anonymous at first, then they log in and the ids merge.
  let secondary: Device | undefined;
  if (chance(rng, 0.15)) {
    const device: Device = { anonymousId: uuidFrom(rng), channel: primary.channel === 'web' ? 'app' : 'web', identifiedAt: Infinity };
    const firstUse = identifiedAt + DAY + rng() * (end - identifiedAt) * 0.5;
    // Skip if the login could fall after `end`: an orphaned anonymous device would look like an extra person.
    if (firstUse + HOUR < end) {
      const loginAt = browse(tl, rng, device, firstUse, person.unit, intBetween(rng, 1, 3)) + intBetween(rng, 10, 60) * SECOND;
      if (tl.identify(device, loginAt, plan)) secondary = device;
    }
  }
  const deviceAt = (ts: number): Device => (secondary && ts > secondary.identifiedAt && chance(rng, 0.5) ? secondary : primary);
  const activeSpan = end - identifiedAt;
  const sometimeActive = () => identifiedAt + MINUTE + rng() * activeSpan;

  // Return visits: engagement varies from ~0.5 to ~3 sessions a month.
  const visits = Math.min(40, Math.round((activeSpan / MONTH) * (0.5 + rng() * 2.5)));
  for (let v = 0; v < visits; v++) {
    const ts = sometimeActive();
    browse(tl, rng, deviceAt(ts), ts, browsedUnit(), intBetween(rng, 1, 5));
  }

  // ~45% of sign-ups buy; ~30% of buyers come back for 2–6 orders in total.
  let lastOrderAt: number | undefined;
  let refunded = false;
  if (chance(rng, 0.45)) {
    const orders = chance(rng, 0.3) ? intBetween(rng, 2, 6) : 1;
    const firstOrderAt = chance(rng, 0.4) ? identifiedAt + MINUTE : identifiedAt + DAY + rng() * 30 * DAY;
    for (let k = 0; k < orders; k++) {
      const at = k === 0 ? firstOrderAt : firstOrderAt + HOUR + rng() * (end - firstOrderAt);
      const unit = k === 0 ? person.unit : browsedUnit();
      const device = deviceAt(at);
      const order = placeOrder(tl, rng, device, at, unit, `ord_${index + 1}_${k + 1}`, person.money);
      if (!order) continue;
      lastOrderAt = Math.max(lastOrderAt ?? 0, order.at);
      if (chance(rng, 0.06)) {
        const refund = { order_id: order.id, total: order.revenue, currency: order.currency, products: order.products, reason: pick(rng, ['damaged', 'wrong_size', 'changed_mind']) };
        refunded = tl.track(device, order.at + (3 + rng() * 17) * DAY, 'Order Refunded', refund, device.channel, unit) || refunded;
      }
    }
  }

  sendCampaignEmails(run, tl, rng, primary, identifiedAt, person.unit);

  // Call-centre contacts need a phone on file; buyers call more (order status, returns).
  if (person.phone && chance(rng, lastOrderAt ? 0.35 : 0.15)) {
    for (let c = intBetween(rng, 1, 3); c > 0; c--) {
      tl.track(primary, sometimeActive(), 'Call Completed', {
        duration_seconds: intBetween(rng, 60, 1200),
        reason: refunded && c === 1 ? 'Return request' : pick(rng, CALL_REASONS),
        agent: pick(rng, AGENTS),
        outcome: pickWeighted(rng, CALL_OUTCOMES),
      }, 'phone');
    }
  }

  if (chance(rng, 0.15)) {
    for (let s = intBetween(rng, 1, 4); s > 0; s--) {
      const unit = browsedUnit();
      tl.track(primary, sometimeActive(), 'Store Visit', {
        store_id: `st_${unit.key}_${asciiSlug(person.city)}`,
        store_name: `${unit.name} ${person.city}`,
        city: person.city,
        duration_minutes: intBetween(rng, 5, 60),
      }, 'store', unit);
    }
  }

  // A handful answer the NPS survey, usually some days after buying.
  if (chance(rng, 0.1)) {
    // A refund usually sours the score; otherwise ~45% promoters, 30% passives, 25% detractors.
    const bucket = refunded ? 'detractor' : pickWeighted(rng, [['promoter', 45], ['passive', 30], ['detractor', 25]] as const);
    const score = bucket === 'promoter' ? intBetween(rng, 9, 10) : bucket === 'passive' ? intBetween(rng, 7, 8) : intBetween(rng, 0, 6);
    const at = lastOrderAt !== undefined ? lastOrderAt + (2 + rng() * 10) * DAY : sometimeActive();
    tl.track(primary, at, 'Survey Responded', { survey: 'nps', score, comment: pick(rng, NPS_COMMENTS[bucket]) }, 'email');
  }
}

/** A short browsing session; returns the time of the last page view. */
function browse(tl: Timeline, rng: Rng, device: Device, at: number, unit: Unit, pages: number): number {
  let ts = at;
  for (let p = 0; p < pages; p++) {
    if (p > 0) ts += intBetween(rng, 15, 180) * SECOND;
    tl.page(device, ts, unit, p === 0 && chance(rng, 0.5) ? 'Home' : pick(rng, unit.categories));
  }
  return ts;
}

type PlacedOrder = { readonly id: string; readonly at: number; readonly revenue: number; readonly currency: string; readonly products: readonly (Product & { quantity: number })[] };

/** Segment e-commerce funnel: view → add → checkout → complete. Returns undefined if the person went quiet mid-funnel. */
function placeOrder(tl: Timeline, rng: Rng, device: Device, at: number, unit: Unit, orderId: string, money: Money): PlacedOrder | undefined {
  const products = pickProducts(rng, unit).map((p) => ({ ...p, price: localPrice(p.price, money), currency: money.currency }));
  const lines = products.map((p) => ({ ...p, quantity: p.price < 150 * money.perDollar && chance(rng, 0.25) ? 2 : 1 }));
  let ts = at;
  const step = () => (ts += intBetween(rng, 20, 240) * SECOND);
  if (!tl.page(device, ts, unit, products[0].category)) return undefined;
  for (const product of products) tl.track(device, step(), 'Product Viewed', product, device.channel, unit);
  for (const line of lines) tl.track(device, step(), 'Product Added', line, device.channel, unit);
  // Cents avoid float drift in totals like 59.95 * 2.
  const revenue = lines.reduce((sum, l) => sum + Math.round(l.price * 100) * l.quantity, 0) / 100;
  const order = { order_id: orderId, revenue, currency: money.currency, products: lines };
  tl.track(device, step(), 'Checkout Started', order, device.channel, unit);
  if (!tl.track(device, step(), 'Order Completed', order, device.channel, unit)) return undefined;
  return { id: orderId, at: ts, revenue, currency: money.currency, products: lines };
}

/** The catalogue's dollar price in a local list: 149 → €137.99, £119.99, R$819.99. */
function localPrice(dollars: number, money: Money): number {
  return money.perDollar === 1 ? dollars : (Math.ceil(dollars * money.perDollar) * 100 - 1) / 100;
}

function pickProducts(rng: Rng, unit: Unit): Product[] {
  const count = pickWeighted(rng, [[1, 60], [2, 30], [3, 10]] as const);
  const chosen = new Set<Product>();
  while (chosen.size < count) chosen.add(pick(rng, unit.products));
  return [...chosen];
}

/** Opted-in subscribers get some of their unit's campaigns; a share open, fewer click through to the site. */
function sendCampaignEmails(run: Run, tl: Timeline, rng: Rng, device: Device, subscribedAt: number, unit: Unit): void {
  if (!chance(rng, 0.85)) return;
  for (const campaign of run.campaigns) {
    if (campaign.unit !== unit || campaign.sentAt <= subscribedAt || !chance(rng, 0.6)) continue;
    const props = { campaign_id: campaign.id, campaign_name: campaign.name, subject: campaign.subject };
    const sentAt = campaign.sentAt + rng() * 20 * MINUTE;
    if (!tl.track(device, sentAt, 'Email Sent', props, 'email')) return; // later campaigns are later still
    if (!chance(rng, 0.35)) continue;
    const openedAt = sentAt + 5 * MINUTE + rng() * 36 * HOUR;
    if (!tl.track(device, openedAt, 'Email Opened', props, 'email') || !chance(rng, 0.3)) continue;
    const clickedAt = openedAt + intBetween(rng, 5, 300) * SECOND;
    if (tl.track(device, clickedAt, 'Email Link Clicked', props, 'email')) {
      browse(tl, rng, device, clickedAt + 5 * SECOND, unit, intBetween(rng, 1, 2));
    }
  }
}
