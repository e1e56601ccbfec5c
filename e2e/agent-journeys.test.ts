import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../apps/server/src/modules/workspaces/index.ts';
import { launchChromium, screenshot, seriousA11yViolations } from './support/browser.ts';
import { chatVisitor } from '../apps/server/test/chat-visitor.ts';
import { startSeededTouchpoint, type Person, type Seeded } from './support/touchpoint.ts';

/**
 * The agent web app end to end, in Debian's chromium against a real server: sign in, work a
 * moment, hand it to another team and watch it arrive live in a colleague's browser, who
 * accepts and resolves it; roles see only what they may.
 */
describe('agent web app journeys', () => {
  let tp: Seeded;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  let bob: Page;
  let ana: Page;

  beforeAll(async () => {
    [tp, browser] = await Promise.all([startSeededTouchpoint(), launchChromium()]);
  }, 180_000);
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await tp?.stop();
  });

  async function signedIn(person: Person, options: { readonly shoot?: string; readonly viewport?: { readonly width: number; readonly height: number } } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1440, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${tp.s.url}/`);
    await page.getByRole('heading', { name: 'Sign in to Touchpoint' }).waitFor();
    await page.getByLabel(/^Email/).fill(person.email);
    await page.getByLabel(/^Password/).fill(person.password);
    if (options.shoot) await screenshot(page, options.shoot);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    return page;
  }
  const row = (page: Page, subject: string) => page.getByRole('option').filter({ hasText: subject });

  it('signs in and shows the inbox, with the workspace and live updates on', async () => {
    bob = await signedIn(tp.bob, { shoot: '01-sign-in' });
    expect(new URL(bob.url()).pathname).toBe('/inbox');
    await bob.getByTestId('workspace-name').filter({ hasText: 'Acme' }).waitFor();
    await row(bob, 'Card charged twice').waitFor();
    await expect.poll(() => bob.getByRole('option').count()).toBe(4);
    // Each row names who wrote: the sender's name from the mail, WhatsApp or chat.
    await expect.poll(() => bob.getByTestId('row-customer').allTextContents()).toEqual(expect.arrayContaining(['Ann Lee', 'Raj Patel', 'Li Wei', 'Sam Okafor']));
    await row(bob, 'Card charged twice').getByText('Ann Lee').waitFor();
    await bob.getByRole('tab', { name: /Mine\s*4/ }).waitFor();
    await bob.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await screenshot(bob, '02-inbox');
    expect(await seriousA11yViolations(bob)).toEqual([]);
    // The filter box finds a conversation by who it is with, then lets go of it.
    await bob.getByRole('textbox', { name: 'Search customers, subjects and messages' }).fill('raj pat');
    await expect.poll(() => bob.getByTestId('row-customer').allTextContents()).toEqual(['Raj Patel']);
    await bob.getByRole('button', { name: 'Clear search' }).click();
    await expect.poll(() => bob.getByRole('option').count()).toBe(4);
  });

  it('opens a moment that came in by email, replies, and the reply is delivered on its channel', async () => {
    await row(bob, 'Card charged twice').click();
    await bob.getByTestId('moment-subject').filter({ hasText: 'Card charged twice' }).waitFor();
    await bob.getByTestId('message').filter({ hasText: 'Hi, I was charged twice for order 1042' }).waitFor();
    await bob.getByRole('timer').waitFor(); // the SLA countdown
    await bob.getByRole('textbox', { name: 'Reply' }).fill('So sorry, Ann: I have refunded the second charge.');
    await bob.getByRole('button', { name: 'Send reply' }).click();
    // The worker hands the reply to the email channel's relay; the thread shows it sent, live.
    const reply = bob.getByTestId('message').filter({ hasText: 'I have refunded the second charge' });
    await reply.getByTestId('delivery-state').filter({ hasText: 'Sent' }).waitFor();
    const delivered = tp.sink.received.find((r) => r.mail.text?.includes('I have refunded the second charge'));
    expect(delivered?.rcpt).toEqual(['ann@example.com']);
    expect(delivered?.mail.subject).toBe('Re: Card charged twice');
    expect(delivered?.mail.inReplyTo).toBe(tp.annMessageId);
    expect(delivered?.mail.from?.value[0]).toEqual({ name: 'Bob', address: tp.inbox });
    await bob.getByTestId('customer-card').getByText('ann@example.com', { exact: true }).waitFor();
    await screenshot(bob, '03-moment');
    expect(await seriousA11yViolations(bob)).toEqual([]);
  });

  it("hands off to Service: the moment arrives live in Ana's browser, she accepts it, and it leaves Bob's list", async () => {
    ana = await signedIn(tp.ana);
    await ana.getByRole('tab', { name: /My teams/ }).click();
    await ana.getByTestId('inbox-empty').waitFor();

    await bob.getByRole('button', { name: 'More actions' }).click();
    await bob.getByRole('menuitem', { name: 'Hand off…' }).click();
    const dialog = bob.getByRole('dialog', { name: 'Hand off' });
    await dialog.getByRole('combobox', { name: 'Team' }).click();
    await bob.getByRole('option', { name: 'Service' }).click();
    await dialog.getByRole('textbox', { name: 'Reason' }).fill('billing question');
    await dialog.getByRole('textbox', { name: /Context/ }).fill('Refunded one charge; the customer asks about the invoice.');
    await dialog.getByRole('button', { name: 'Hand off' }).click();
    await bob.getByTestId('handoff-banner').filter({ hasText: 'Hand-off to Service pending' }).waitFor();

    // No reload: the stream brings it into Ana's team view, and a Hand-offs tab counts it.
    await ana.getByRole('tab', { name: /Hand-offs\s*1/ }).waitFor();
    const arrived = row(ana, 'Card charged twice');
    await arrived.getByText('Hand-off to Service — accept?').waitFor();
    await arrived.click();
    const banner = ana.getByTestId('handoff-banner');
    await banner.filter({ hasText: 'Bob handed this over to Service' }).waitFor();
    await screenshot(ana, '04-handoff-received');
    await banner.getByRole('button', { name: 'Accept' }).click();
    await ana.getByTestId('moment-owner').filter({ hasText: 'Ana (you)' }).waitFor();
    await ana.getByTestId('ownership-history').getByText(/Sales → Service, accepted by Ana \d\d:\d\d, reason: billing question/).waitFor();

    await row(bob, 'Card charged twice').waitFor({ state: 'detached' });
    await bob.getByRole('tab', { name: /Mine\s*3/ }).waitFor();
  });

  it('resolves it with the keyboard', async () => {
    await ana.getByRole('listbox', { name: 'Moments' }).focus();
    await ana.keyboard.press('e');
    await ana.getByTestId('moment-status').filter({ hasText: 'resolved' }).waitFor();
    // Resolved work leaves the active list, and the timer stops counting.
    await row(ana, 'Card charged twice').waitFor({ state: 'detached' });
    await ana.getByTestId('ownership-history').waitFor();
    await screenshot(ana, '05-resolved');
  });

  it('chats with a website visitor live: each sees the other typing, and who they are once they say', async () => {
    const channel = await tp.s.api('POST', '/api/v1/channels', { kind: 'chat', name: 'Site chat', settings: { allowedOrigins: [tp.s.url] }, secrets: { identitySecret: 'site-identity-secret-0123456789' } });
    expect(channel.status, JSON.stringify(channel.body)).toBe(201);
    const visitor = chatVisitor(tp.s, channel.body.id);
    try {
      const clientId = visitor.chat.send('Is the blue jacket back in stock?');
      await visitor.until('the message stored', (e) => e.type === 'ack' && e.clientId === clientId);
      // Routed to Sales, whose only agent is Bob: it arrives in his inbox without a reload.
      const arrived = row(bob, 'Is the blue jacket back in stock?');
      await arrived.getByText('Website visitor').waitFor();
      await arrived.click();
      await bob.getByTestId('message').filter({ hasText: 'Is the blue jacket back in stock?' }).waitFor();

      visitor.chat.setTyping(true);
      await bob.getByTestId('typing').filter({ hasText: 'Website visitor is typing…' }).waitFor();
      await screenshot(bob, '05b-visitor-typing');
      visitor.chat.setTyping(false);
      await expect.poll(() => bob.getByTestId('typing').textContent()).toBe('');

      // Bob's keys going down show in the widget as "Bob is typing…"; sending ends it.
      await bob.getByRole('textbox', { name: 'Reply' }).pressSequentially('Yes, since Monday');
      await visitor.until('Bob typing', (e) => e.type === 'typing' && e.typing && e.name === 'Bob');
      await bob.getByRole('button', { name: 'Send reply' }).click();
      await visitor.until('the reply', (e) => e.type === 'message' && e.message.body === 'Yes, since Monday');
      await visitor.until('Bob stopping', (e) => e.type === 'typing' && !e.typing);

      // The visitor leaves their email and name: Bob's row, header and card name them, live.
      visitor.chat.identify('jo.park@example.com', 'Jo Park');
      await row(bob, 'Is the blue jacket back in stock?').getByText('Jo Park').waitFor();
      await bob.getByRole('link', { name: 'Jo Park' }).waitFor();
      await bob.getByTestId('customer-card').getByText('jo.park@example.com', { exact: true }).waitFor();
    } finally {
      visitor.leave();
    }
  });

  it('shows Settings only to the roles that may use it', async () => {
    const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
    expect(await nav(bob).getByRole('link', { name: 'Settings' }).count()).toBe(0);
    const zoe = await signedIn(tp.zoe);
    await nav(zoe).getByRole('link', { name: 'Inbox' }).waitFor();
    expect(await nav(zoe).getByRole('link', { name: 'Settings' }).count()).toBe(0);
    await zoe.goto(`${tp.s.url}/settings`);
    await zoe.getByText('This page is for admins').waitFor();
    await screenshot(zoe, '06-settings-forbidden');
    const owner = await signedIn(tp.owner);
    await nav(owner).getByRole('link', { name: 'Settings' }).waitFor();
  });

  it("switches workspace from the header, asking for that workspace's password again", async () => {
    // Acme's owner also owns Globex, with the same password: signing in lists both.
    await createWorkspace(tp.s.tp.deps, { name: 'Globex', ownerEmail: tp.owner.email, ownerPassword: tp.owner.password });
    const owner = await signedIn(tp.owner);
    await owner.getByTestId('workspace-name').filter({ hasText: 'Acme' }).waitFor();
    const switchTo = async (name: string, password: string) => {
      await owner.getByRole('button', { name: /Switch workspace/ }).click();
      await owner.getByRole('menuitem', { name }).click();
      const dialog = owner.getByRole('dialog', { name: `Switch to ${name}` });
      expect(await dialog.getByLabel(/^Email/).inputValue()).toBe(tp.owner.email);
      await dialog.getByLabel(/^Password/).fill(password);
      await dialog.getByRole('button', { name: 'Switch' }).click();
      return dialog;
    };
    const refused = await switchTo('Globex', 'not the password');
    await refused.getByRole('alert').filter({ hasText: 'do not open Globex' }).waitFor();
    await refused.getByRole('button', { name: 'Cancel' }).click();

    await switchTo('Globex', tp.owner.password);
    await owner.getByTestId('workspace-name').filter({ hasText: 'Globex' }).waitFor();
    await owner.getByRole('tab', { name: /^All/ }).click();
    await owner.getByTestId('inbox-empty').waitFor(); // nothing of Acme's stays on screen
    await owner.getByRole('status').filter({ hasText: 'Live' }).waitFor(); // the stream reconnected, as Globex
    await screenshot(owner, '16-workspace-switched');
    await switchTo('Acme', tp.owner.password);
    await owner.getByTestId('workspace-name').filter({ hasText: 'Acme' }).waitFor();
    await owner.getByRole('tab', { name: /^All/ }).click();
    await row(owner, 'Cannot log in').waitFor();
  });

  it('works on a phone: the list, then the moment full width with a composer to write in, and the sign-out in the menu', async () => {
    const phone = await signedIn(tp.bob, { viewport: { width: 375, height: 740 } });
    await row(phone, 'Where is my parcel?').click();
    await phone.getByTestId('moment-subject').filter({ hasText: 'Where is my parcel?' }).waitFor();
    expect(await phone.getByRole('listbox', { name: 'Moments' }).count()).toBe(0); // one pane at a time
    const composer = await phone.getByRole('textbox', { name: 'Reply' }).boundingBox();
    expect(composer?.width).toBeGreaterThanOrEqual(250);
    expect((composer?.x ?? 0) + (composer?.width ?? 0)).toBeLessThanOrEqual(375);
    await phone.getByRole('button', { name: 'Details' }).click();
    await phone.getByRole('dialog', { name: 'Details' }).getByTestId('moment-owner').filter({ hasText: 'Bob (you)' }).waitFor();
    await phone.keyboard.press('Escape');
    await screenshot(phone, '19-phone-moment');
    await phone.getByRole('button', { name: 'Back to the inbox' }).click();
    await row(phone, 'Where is my parcel?').waitFor();
    await phone.getByRole('button', { name: /^Menu/ }).click();
    await phone.getByRole('dialog').getByRole('button', { name: 'Sign out' }).click();
    await phone.getByRole('heading', { name: 'Sign in to Touchpoint' }).waitFor();
  });

  it('signs out: the session ends and the app asks to sign in again', async () => {
    await bob.getByRole('button', { name: /Bob/ }).click();
    await bob.getByRole('menuitem', { name: 'Sign out' }).click();
    await bob.getByRole('heading', { name: 'Sign in to Touchpoint' }).waitFor();
    await bob.goto(`${tp.s.url}/inbox`);
    await bob.getByRole('heading', { name: 'Sign in to Touchpoint' }).waitFor();
  });
});
