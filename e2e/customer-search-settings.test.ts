import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, seriousA11yViolations } from './support/browser.ts';
import { startSeededTouchpoint, type Person, type Seeded } from './support/touchpoint.ts';

/**
 * Customer 360, search, settings and dark mode in Debian's chromium against a real server:
 * from a moment to its customer's timeline; merge two profiles and unmerge them; find anything
 * from one box; an admin writes an assignment rule and the tester answers; an analyst is kept out.
 */
describe('customer, search, settings and dark mode journeys', () => {
  let tp: Seeded;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [tp, browser] = await Promise.all([startSeededTouchpoint(), launchChromium()]);
    // A second profile for Li Wei (another phone, another conversation): the one to merge.
    const res = await tp.s.api('POST', '/api/v1/moments', { identity: 'phone:+4915112345678', name: 'Li W.', channel: 'sms', subject: 'Pro plan invoice', message: { body: 'Can I get the invoice for Pro?' } });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    const sms = await tp.s.api('POST', '/api/v1/channels', { kind: 'sms', name: 'Support SMS', address: '+14155550100', settings: { accountSid: 'AC0123456789abcdef0123456789abcdef' }, secrets: { authToken: 'secret' }, costPerContact: 0.05, currency: 'USD' });
    if (sms.status !== 201) throw new Error(JSON.stringify(sms.body));
    // Ann buys in two currencies: her revenue is shown a line each, never added up.
    for (const [orderId, revenue, currency] of [['1042', 89.5, 'EUR'], ['1043', 30, 'GBP']] as const) {
      const order = await tp.s.track('/v1/track', { anonymousId: 'ann-shop', event: 'Order Completed', context: { traits: { email: 'ann@example.com' } }, properties: { order_id: orderId, revenue, currency } });
      if (order.status !== 200) throw new Error(JSON.stringify(order.body));
    }
  }, 180_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await tp?.stop();
  });

  async function signedIn(person: Person): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${tp.s.url}/sign-in`);
    await page.getByLabel(/^Email/).fill(person.email);
    await page.getByLabel(/^Password/).fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    return page;
  }
  const a11y = async (page: Page) => expect(await seriousA11yViolations(page)).toEqual([]);

  it('opens the customer from a moment and finds the conversation on the timeline', async () => {
    const bob = await signedIn(tp.bob);
    await bob.getByRole('option').filter({ hasText: 'Card charged twice' }).click();
    // Beside the conversation: who Ann is, what she bought and how to reach her.
    const card = bob.getByTestId('customer-card');
    await card.filter({ hasText: '2 orders · €89.50 · £30' }).waitFor();
    await card.filter({ hasText: 'Latest order 1043 · £30' }).waitFor();
    await card.getByText('ann@example.com', { exact: true }).waitFor();
    await screenshot(bob, '06-moment-customer-card');
    // The keyboard goes to her profile too (c), and back returns to the conversation.
    await bob.keyboard.press('c');
    await bob.getByTestId('customer-name').filter({ hasText: 'Ann Lee' }).waitFor();
    await bob.goBack();
    await bob.getByTestId('moment-subject').filter({ hasText: 'Card charged twice' }).waitFor();
    await bob.getByRole('link', { name: 'Ann Lee' }).click();
    await bob.getByTestId('customer-name').filter({ hasText: 'Ann Lee' }).waitFor();
    await bob.getByTestId('identity').filter({ hasText: 'ann@example.com' }).waitFor();
    const line = bob.getByTestId('touchpoint').filter({ hasText: 'Hi, I was charged twice for order 1042' });
    await line.filter({ hasText: 'Wrote in on Email' }).waitFor();
    await bob.getByTestId('customer-moment').filter({ hasText: 'Card charged twice' }).waitFor();
    await bob.getByRole('heading', { name: 'Lifecycle history' }).waitFor();
    expect(await bob.getByTestId('figure-revenue').locator('p').allInnerTexts()).toEqual(['Revenue', '€89.50', '£30']);
    // Filters ask the server: chat has nothing for Ann, email has the conversation.
    const filters = bob.getByRole('radiogroup', { name: 'Show on the timeline' });
    await filters.getByText('Chat', { exact: true }).click();
    await bob.getByTestId('timeline-empty').waitFor();
    await filters.getByText('Email', { exact: true }).click();
    await line.waitFor();
    // The conversation was Sales': filtering by another department hides it.
    await bob.getByRole('combobox', { name: 'Department' }).click();
    await bob.getByRole('option', { name: 'Service' }).click();
    await bob.getByTestId('timeline-empty').waitFor();
    await bob.getByRole('combobox', { name: 'Department' }).click();
    await bob.getByRole('option', { name: 'Sales' }).click();
    await line.waitFor();
    await screenshot(bob, '07-customer');
    await a11y(bob);
    await line.getByRole('link', { name: 'Open conversation' }).click();
    await bob.getByTestId('moment-subject').filter({ hasText: 'Card charged twice' }).waitFor();
  });

  it('merges two profiles after a preview, then unmerges them', async () => {
    const bob = await signedIn(tp.bob);
    const found = await tp.s.api('GET', '/api/v1/customers?identity=email:li@example.com');
    const li = found.body.data[0].id as string;
    await bob.goto(`${tp.s.url}/customers/${li}`);
    await bob.getByTestId('customer-name').filter({ hasText: 'Li Wei' }).waitFor();
    await bob.getByRole('button', { name: 'Merge with…' }).click();
    const dialog = bob.getByRole('dialog');
    await dialog.getByLabel('Find the other profile').fill('+4915112345678');
    await dialog.getByRole('button', { name: /Li W\./ }).click();
    const preview = dialog.getByTestId('merge-preview');
    // The older profile (Li Wei, seeded first) survives; the phone joins it.
    await preview.getByTestId('merge-survives').filter({ hasText: 'Li Wei' }).waitFor();
    await preview.getByTestId('merge-absorbed').filter({ hasText: '+4915112345678' }).waitFor();
    await preview.getByTestId('merge-outcome').filter({ hasText: 'gains 1 identity' }).waitFor();
    // Li W. wrote last, so where both have a trait its value wins: the survivor takes its name.
    await preview.getByTestId('merge-trait-changes').filter({ hasText: 'Its name becomes Li W.' }).waitFor();
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('same person, new phone');
    await screenshot(bob, '08-merge-preview');
    await a11y(bob);
    await dialog.getByRole('button', { name: 'Merge profiles' }).click();
    await dialog.waitFor({ state: 'detached' });
    await bob.getByTestId('identity').filter({ hasText: '+4915112345678' }).waitFor();
    await bob.getByTestId('customer-name').filter({ hasText: 'Li W.' }).waitFor();
    await bob.getByTestId('customer-moment').filter({ hasText: 'Pro plan invoice' }).waitFor();
    await bob.getByTestId('merge-entry').filter({ hasText: 'same person, new phone' }).waitFor();

    await bob.getByRole('button', { name: 'Unmerge…' }).click();
    const undo = bob.getByRole('dialog', { name: 'Unmerge this profile' });
    await undo.getByTestId('unmerge-preview').filter({ hasText: '+4915112345678' }).waitFor();
    await undo.getByRole('button', { name: 'Unmerge' }).click();
    await bob.getByTestId('unmerged').waitFor();
    await bob.getByTestId('identity').filter({ hasText: '+4915112345678' }).waitFor({ state: 'detached' });
    expect(await bob.getByTestId('identity').count()).toBe(1);
    await bob.getByRole('link', { name: 'Open the restored profile' }).click();
    await bob.getByTestId('identity').filter({ hasText: '+4915112345678' }).waitFor();
  });

  it('searches customers, moments and messages from one box with the keyboard', async () => {
    const bob = await signedIn(tp.bob);
    await bob.keyboard.press('Control+k');
    const box = bob.getByRole('combobox', { name: 'Search customers, moments and messages' });
    await box.fill('parcel');
    const results = bob.getByRole('listbox', { name: 'Results' });
    await results.getByRole('group', { name: 'Moments' }).getByRole('option', { name: /Where is my parcel\?/ }).waitFor();
    await screenshot(bob, '09-search');
    await a11y(bob);
    await box.press('Enter');
    await bob.getByTestId('moment-subject').filter({ hasText: 'Where is my parcel?' }).waitFor();
    // "/" opens it too; words from a message find their moment.
    await bob.locator('body').press('/');
    await box.fill('tracking says nothing');
    await results.getByRole('group', { name: 'Messages' }).getByRole('option').first().waitFor();
    // Who a conversation is with finds it too, among the moments, saying with whom.
    await box.fill('raj patel');
    await results.getByRole('group', { name: 'Moments' }).getByRole('option', { name: /Where is my parcel\?/ }).filter({ hasText: 'with Raj Patel · WhatsApp · open' }).waitFor();
    await bob.keyboard.press('Escape');
    await box.waitFor({ state: 'detached' });
  });

  it('opens an analyst on every moment, and keeps them out of settings: the screen says so and the API refuses', async () => {
    const zoe = await signedIn(tp.zoe);
    // Never assigned a moment: no "Mine", no presence to set.
    await zoe.getByRole('tab', { name: /^All/, selected: true }).waitFor();
    expect(await zoe.getByRole('tab', { name: /^Mine/ }).count()).toBe(0);
    expect(await zoe.getByRole('button', { name: /^Status:/ }).count()).toBe(0);
    await zoe.goto(`${tp.s.url}/settings/assignment`);
    await zoe.getByText('This page is for admins').waitFor();
    const status = await zoe.evaluate(async () => {
      const csrf = document.cookie.split('; ').find((c) => c.startsWith('tp_csrf='))?.slice(8) ?? '';
      const res = await fetch('/api/v1/assignment-rules', { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ name: 'x', teamId: 'y' }) });
      return res.status;
    });
    expect(status).toBe(403);
  });

  it('lets an admin create an assignment rule, and the tester answers with its team', async () => {
    const owner = await signedIn(tp.owner);
    await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await owner.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Assignment rules' }).click();
    await owner.getByTestId('settings-empty').waitFor();
    const tester = owner.getByRole('region', { name: 'Which team would this go to?' });
    await tester.getByRole('textbox', { name: 'Subject and first message' }).fill('A question about my invoice');
    await tester.getByTestId('rule-test-answer').filter({ hasText: 'No rule matches: goes to Sales' }).waitFor();

    await owner.getByRole('button', { name: 'New rule' }).click();
    const dialog = owner.getByRole('dialog', { name: 'New assignment rule' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Billing to Service');
    await dialog.getByRole('combobox', { name: 'Keywords' }).fill('invoice');
    await dialog.getByRole('combobox', { name: 'Keywords' }).press('Enter');
    await dialog.getByRole('combobox', { name: 'Goes to team' }).click();
    await owner.getByRole('option', { name: 'Service' }).click();
    await dialog.getByRole('button', { name: 'Create rule' }).click();
    await dialog.waitFor({ state: 'detached' });
    await owner.getByTestId('assignment-rule').filter({ hasText: 'mentions “invoice”' }).waitFor();
    await tester.getByTestId('rule-test-answer').filter({ hasText: 'Goes to Service by the rule “Billing to Service”' }).waitFor();
    await screenshot(owner, '10-settings-rules');
    await a11y(owner);

    for (const [section, shot] of [
      ['Teams', '11-settings-teams'],
      ['Agents', '12-settings-agents'],
      ['SLAs and hours', '13-settings-sla'],
      ['Channels', '14-settings-channels'],
      ['API and write keys', '15-settings-keys'],
      ['Customers and moments', '16-settings-workspace'],
    ] as const) {
      await owner.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: section }).click();
      await owner.getByRole('heading', { name: section === 'SLAs and hours' ? 'SLA policies' : section, level: 2 }).waitFor();
      await owner.waitForLoadState('networkidle');
      await screenshot(owner, shot);
      await a11y(owner);
    }
    // A channel's secret shows only as "set" and can be replaced; its webhook addresses can be copied.
    await owner.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Channels' }).click();
    await owner.getByRole('button', { name: 'Edit Support SMS' }).click();
    const channel = owner.getByRole('dialog', { name: 'Channel “Support SMS”' });
    await channel.getByRole('group', { name: 'Secrets' }).getByText('set', { exact: true }).waitFor();
    expect(await channel.getByText('secret', { exact: true }).count()).toBe(0);
    await channel.getByRole('button', { name: /Copy the incoming webhook address/ }).waitFor();
    await channel.getByRole('button', { name: 'Replace' }).click();
    await channel.getByLabel('authToken').fill('a new token');
    await screenshot(owner, '14-settings-channel-edit');
    await a11y(owner);
    await channel.getByRole('button', { name: 'Save channel' }).click();
    await channel.waitFor({ state: 'detached' });
  });

  it('sets how phone numbers and order amounts are read, refusing a country phones are not known for', async () => {
    const owner = await signedIn(tp.owner);
    await owner.goto(`${tp.s.url}/settings/workspace`);
    const country = owner.getByRole('textbox', { name: 'Default phone country' });
    await country.fill('uk');
    await owner.getByRole('button', { name: 'Save settings' }).click();
    // UK is no ISO 3166 code: the server names the one it is (GB), and nothing is stored.
    await owner.getByRole('alert').filter({ hasText: 'the United Kingdom is GB' }).waitFor();
    await country.fill('gb');
    await owner.getByText('Numbers without +country code count as United Kingdom numbers').waitFor();
    await owner.getByRole('combobox', { name: 'Default currency' }).fill('GBP');
    await owner.getByRole('option', { name: 'GBP', exact: true }).click();
    await owner.getByRole('button', { name: 'Save settings' }).click();
    await owner.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    await a11y(owner);
    const { settings } = (await tp.s.api('GET', '/api/v1/workspace')).body;
    expect(settings).toMatchObject({ defaultCountry: 'GB', defaultCurrency: 'GBP' });
    // Back as they were, for the journeys after this one.
    await tp.s.api('PATCH', '/api/v1/workspace/settings', { defaultCountry: null, defaultCurrency: 'USD' });
  });

  it('shows agents and teams from one list each, and renames a business unit in place', async () => {
    const owner = await signedIn(tp.owner);
    const agentsRead: string[] = [];
    owner.on('request', (r) => void (/\/api\/v1\/(agents|teams)\//.test(new URL(r.url()).pathname) && agentsRead.push(r.url())));
    await owner.goto(`${tp.s.url}/settings/agents`);
    await owner.getByRole('row').filter({ hasText: 'bob@acme.test' }).getByText('online').waitFor();
    await owner.goto(`${tp.s.url}/settings/teams`);
    await owner.getByRole('button', { name: 'Edit Service' }).click();
    await owner.getByRole('dialog', { name: 'Team Service' }).getByText('Ana · online').waitFor();
    await owner.keyboard.press('Escape');
    expect(agentsRead, 'no request per agent or team').toEqual([]);

    await owner.goto(`${tp.s.url}/settings/business-units`);
    const unit = owner.getByTestId('business-unit').first();
    const before = (await unit.getByRole('cell').first().textContent())!;
    await unit.getByRole('button', { name: `Rename ${before}` }).click();
    await unit.getByRole('textbox', { name: 'Name' }).fill('Acme Retail');
    await unit.getByRole('button', { name: 'Save' }).click();
    await owner.getByTestId('business-unit').filter({ hasText: 'Acme Retail' }).getByRole('button', { name: 'Rename Acme Retail' }).waitFor();
    await screenshot(owner, '18-settings-business-units');
    await a11y(owner);
  });

  it('creates an API key that is shown once', async () => {
    const owner = await signedIn(tp.owner);
    await owner.goto(`${tp.s.url}/settings/keys`);
    await owner.getByRole('textbox', { name: 'Name' }).fill('CRM sync');
    await owner.getByRole('button', { name: 'Create key' }).click();
    const key = await owner.getByTestId('new-key').textContent();
    expect(key).toMatch(/^tp_api_/);
    await owner.getByRole('button', { name: 'I have stored it' }).click();
    await owner.getByTestId('api-key').filter({ hasText: 'CRM sync' }).waitFor();
    expect(await owner.getByText(key!).count()).toBe(0);
  });

  it('switches to dark mode from the header, remembers it, and stays readable', async () => {
    const bob = await signedIn(tp.bob);
    const scheme = () => bob.evaluate(() => document.documentElement.getAttribute('data-mantine-color-scheme'));
    expect(await scheme()).toBe('light');
    await bob.getByRole('button', { name: 'Switch to dark mode' }).click();
    expect(await scheme()).toBe('dark');
    await bob.reload();
    await bob.getByRole('option').first().waitFor();
    expect(await scheme()).toBe('dark');
    await screenshot(bob, '17-inbox-dark');
    await a11y(bob);
    await bob.getByRole('option').first().click();
    await bob.getByTestId('moment-subject').waitFor();
    await a11y(bob);
    await bob.getByRole('button', { name: 'Switch to light mode' }).click();
    expect(await scheme()).toBe('light');
  });
});
