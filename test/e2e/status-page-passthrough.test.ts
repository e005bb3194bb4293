import { mkdtemp, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { launchChromium, screenshotDir } from '../helpers/browser.js';
import { freeLoopbackAddress } from '../helpers/ports.js';
import { PosdiagProcess } from '../helpers/process.js';
import { requireSocat } from '../helpers/tools.js';

// The status page for devices in mode: passthrough, in a real chromium against a real `posdiag run`
// (the compiled CLI): a simulated ZVT terminal offered to the till over loopback TCP and a
// simulated ESC/POS printer offered over a pty, driven by `posdiag till` processes as the till
// software would. The page must show what the till did, live over the event stream, without a
// reload, in English and Simplified Chinese. Waits are on page content and process output, never
// on fixed sleeps.

let dir: string;
let tillAddress: { host: string; port: number };
let printerLink: string;
let agent: AgentUnderTest;
let browser: Browser;
const problems: string[] = [];
const tills = new Set<PosdiagProcess>();

function agentConfig(): string {
  return `
http: { listen: 127.0.0.1:0 }
storage: { dir: ${dir}/data }
alerts: { failureThreshold: 1, successThreshold: 1 }
devices:
  - id: terminal-1
    name: Card terminal
    driver: zvt
    transport: { type: simulator }
    mode: passthrough
    passthrough: { type: tcp, listen: ${tillAddress.host}:${tillAddress.port}, idleGap: 0ms }
    pollInterval: 200ms
  - id: printer-1
    name: Counter printer
    driver: escpos
    transport: { type: simulator }
    mode: passthrough
    passthrough: { type: pty, link: ${printerLink} }
    pollInterval: 200ms
`;
}

/** `posdiag till …` as a separate process, to its summary line and exit. */
async function runTill(args: string[]): Promise<{ code: number | null; summary: Record<string, unknown>; stderr: string[] }> {
  const till = startTill(args);
  const summary = await till.waitForLine((l) => l.event === 'summary', 30_000);
  const code = await till.exited;
  tills.delete(till);
  return { code, summary, stderr: till.stderr };
}

function startTill(args: string[]): PosdiagProcess {
  const till = new PosdiagProcess(['till', ...args]);
  tills.add(till);
  return till;
}

async function setTerminalFaults(faults: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${agent.url}/api/v1/simulators/terminal-1/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  expect(response.status).toBe(200);
}

/** A page whose console errors and uncaught exceptions fail the test (see afterEach). */
async function openPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(agent.url);
  return page;
}

/** The page's globals inside page.evaluate (this file has no DOM types); an inline cast, as in status-page.test.ts. */
type PageGlobals = {
  document: {
    documentElement: { scrollWidth: number };
    querySelectorAll(selector: string): Iterable<{ scrollWidth: number; clientWidth: number; getBoundingClientRect(): { right: number } }>;
  };
  innerWidth: number;
  posdiagNotReloaded?: boolean;
  getComputedStyle(element: unknown): { color: string; backgroundColor: string };
};

const card = (page: Page, id: string) => page.locator(`.card[data-subject="device:${id}"]`);
/** The value next to a card's label (a <dt>/<dd> pair). */
const fact = (page: Page, id: string, label: string): Locator => card(page, id).locator('dt', { hasText: label }).locator('xpath=following-sibling::dd[1]');
/** Matches an element whose whole text is `text`. */
const exactly = (text: string) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
/** Resolves when the fact shows the text (all of it, or matching), as the live page updates it. */
const factShows = (page: Page, id: string, label: string, text: string | RegExp) =>
  fact(page, id, label)
    .filter({ hasText: typeof text === 'string' ? exactly(text) : text })
    .waitFor();

/** Marks the page; `stillSamePage` proves later changes came over the event stream, not a reload. */
const markPage = (page: Page) => page.evaluate(() => void ((globalThis as unknown as PageGlobals).posdiagNotReloaded = true));
const stillSamePage = (page: Page) => page.evaluate(() => (globalThis as unknown as PageGlobals).posdiagNotReloaded === true);

/** Every text on the cards came from a message file: no key such as `fact.payments` shows. */
async function expectNoRawKeys(page: Page): Promise<void> {
  expect(await page.locator('#cards').innerText()).not.toMatch(/\b(?:fact|value|card|summary)\.[A-Za-z]/);
}

const clock = /\d{1,2}:\d\d/;

/** WCAG contrast of an element's text on its background; serialised into the page. */
const contrast = (element: unknown): number => {
  const style = (globalThis as unknown as PageGlobals).getComputedStyle(element);
  const luminance = (rgb: string) => {
    const [r, g, b] = rgb.match(/\d+/g)!.slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  };
  const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort((x, y) => y - x);
  return (a! + 0.05) / (b! + 0.05);
};

beforeAll(async () => {
  await requireSocat();
  dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-e2e-passthrough-'));
  tillAddress = await freeLoopbackAddress();
  printerLink = path.join(dir, 'printer');
  [agent, browser] = await Promise.all([startAgentProcess(agentConfig()), launchChromium()]);
}, 60_000);

afterEach(() => {
  expect(problems).toEqual([]);
});

afterAll(async () => {
  await Promise.all([...tills].map((t) => t.kill()));
  await browser?.close();
  await agent?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('status page: devices shared with the till (mode: passthrough)', () => {
  it('counts the till\'s payments and receipts live, without a reload, in English and Chinese', async () => {
    const [en, zh] = await Promise.all([
      browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 900 } }),
      browser.newContext({ locale: 'zh-CN', viewport: { width: 1100, height: 900 } }),
    ]);
    const [pageEn, pageZh] = await Promise.all([openPage(en), openPage(zh)]);

    // Before the till did anything: how each device is shared, and nothing counted yet.
    await factShows(pageEn, 'terminal-1', 'Shared with the till', `via ${tillAddress.host}:${tillAddress.port}, till not connected`);
    await factShows(pageEn, 'printer-1', 'Shared with the till', `via ${printerLink}`);
    await factShows(pageEn, 'terminal-1', 'Payments since', '0 approved, 0 declined or failed');
    await factShows(pageEn, 'terminal-1', 'Last end-of-day', 'None seen yet');
    await factShows(pageEn, 'printer-1', 'Receipts printed since', '0');
    expect(await fact(pageEn, 'terminal-1', 'Last payment').count()).toBe(0);
    expect(await pageEn.locator('.card .note').count()).toBe(0);
    await factShows(pageZh, 'terminal-1', '与收银机共用', `通过 ${tillAddress.host}:${tillAddress.port},收银机未连接`);
    await factShows(pageZh, 'terminal-1', '起的付款', '成功 0 笔,被拒或失败 0 笔');
    await factShows(pageZh, 'terminal-1', '上次日结', '暂无记录');
    await factShows(pageZh, 'printer-1', '起已打印小票', '0 张');
    await Promise.all([markPage(pageEn), markPage(pageZh)]);

    // The till software: 3 payments on the terminal's TCP port, 2 receipts on the printer's pty.
    const [payments, jobs] = await Promise.all([
      runTill(['zvt', '--connect', `${tillAddress.host}:${tillAddress.port}`, '--payments', '3']),
      runTill(['escpos', '--port', printerLink, '--jobs', '2']),
    ]);
    expect(payments).toMatchObject({ code: 0, summary: { approved: 3, declined: 0, failed: 0 }, stderr: [] });
    expect(jobs).toMatchObject({ code: 0, summary: { printed: 2, failed: 0 }, stderr: [] });

    await factShows(pageEn, 'terminal-1', 'Payments since', '3 approved, 0 declined or failed');
    await factShows(pageEn, 'terminal-1', 'Last payment', /^Approved at \d{1,2}:\d\d/);
    await factShows(pageEn, 'printer-1', 'Receipts printed since', '2');
    expect(await card(pageEn, 'terminal-1').locator('dt', { hasText: 'Payments since' }).textContent()).toMatch(clock);
    await factShows(pageZh, 'terminal-1', '起的付款', '成功 3 笔,被拒或失败 0 笔');
    await factShows(pageZh, 'terminal-1', '最近一笔付款', /^\d{1,2}:\d\d.* 成功$/);
    await factShows(pageZh, 'printer-1', '起已打印小票', '2 张');
    // A normal day's work: nothing is marked as a problem, both devices stay "working".
    for (const page of [pageEn, pageZh]) {
      expect(await page.locator('.card[data-subject^="device:"] .facts .bad').count()).toBe(0);
      expect(await card(page, 'terminal-1').getAttribute('data-state')).toBe('ok');
      expect(await card(page, 'printer-1').getAttribute('data-state')).toBe('ok');
      expect(await stillSamePage(page)).toBe(true);
      await expectNoRawKeys(page);
    }
    await pageEn.screenshot({ path: path.join(screenshotDir, 'status-passthrough-en.png'), fullPage: true });
    await pageZh.screenshot({ path: path.join(screenshotDir, 'status-passthrough-zh.png'), fullPage: true });
    await Promise.all([en.close(), zh.close()]);
  });

  it('says calmly that the till is using the terminal during a payment, then shows the end-of-day', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 900 } });
    const page = await openPage(context);
    await factShows(page, 'terminal-1', 'Payments since', /^3 approved/);
    const note = card(page, 'terminal-1').locator('.note');
    expect(await note.count()).toBe(0);

    // The customer takes a while with the card: the payment stays in progress until the till's
    // process reports it; the note must be there meanwhile, and gone after.
    await setTerminalFaults({ paymentDelayMs: 2_500 });
    try {
      const till = startTill(['zvt', '--connect', `${tillAddress.host}:${tillAddress.port}`, '--payments', '1', '--end-of-day']);
      await note.filter({ hasText: exactly('The till is using it now (payment in progress)') }).waitFor();
      await factShows(page, 'terminal-1', 'Shared with the till', `via ${tillAddress.host}:${tillAddress.port}, till connected`);
      // Busy is normal: the card stays "working", nothing is marked, and the note reads well.
      expect(await card(page, 'terminal-1').getAttribute('data-state')).toBe('ok');
      expect(await card(page, 'terminal-1').locator('.bad').count()).toBe(0);
      expect(await note.evaluate(contrast)).toBeGreaterThanOrEqual(4.5);
      await page.screenshot({ path: path.join(screenshotDir, 'status-passthrough-busy.png'), fullPage: true });
      const summary = await till.waitForLine((l) => l.event === 'summary', 30_000);
      expect(summary).toMatchObject({ approved: 1, endOfDay: 'approved' });
      expect(await till.exited).toBe(0);
      tills.delete(till);
    } finally {
      await setTerminalFaults({ paymentDelayMs: 0 });
    }
    await note.waitFor({ state: 'detached' });
    await factShows(page, 'terminal-1', 'Payments since', '4 approved, 0 declined or failed');
    await factShows(page, 'terminal-1', 'Last end-of-day', clock);
    await factShows(page, 'terminal-1', 'Shared with the till', `via ${tillAddress.host}:${tillAddress.port}, till not connected`);
    await context.close();
  });

  it('says in Chinese that the till is printing while a receipt is half sent', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1100, height: 900 } });
    const page = await openPage(context);
    await factShows(page, 'printer-1', '起已打印小票', '2 张');
    const note = card(page, 'printer-1').locator('.note');
    // The till opens the virtual port and sends the first byte of a command (ESC) only: the
    // printer is mid-command until the rest (ESC @, initialise) follows.
    const port = await open(printerLink, 'r+');
    try {
      await port.write(Buffer.from([0x1b]));
      await note.filter({ hasText: exactly('收银机正在使用(正在打印)') }).waitFor();
      expect(await card(page, 'printer-1').getAttribute('data-state')).toBe('ok');
      await port.write(Buffer.from([0x40]));
      await note.waitFor({ state: 'detached' });
    } finally {
      await port.close();
    }
    // Initialising is not a receipt.
    await factShows(page, 'printer-1', '起已打印小票', '2 张');
    await context.close();
  });

  it.each([
    ['zh-CN', '起的付款', '成功 4 笔,被拒或失败 0 笔', 'status-passthrough-phone.png'],
    ['en-US', 'Payments since', '4 approved, 0 declined or failed', 'status-passthrough-phone-en.png'],
  ])('fits a phone screen (%s), with the passthrough lines inside their cards', async (locale, label, payments, screenshot) => {
    const context = await browser.newContext({ locale, viewport: { width: 360, height: 780 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await openPage(context);
    await factShows(page, 'terminal-1', label, payments);
    await card(page, 'printer-1').locator('dt').nth(5).waitFor();
    const fits = await page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      const overflowing = [...w.document.querySelectorAll('.card, .card dt, .card dd, .card .note')].filter(
        (e) => e.scrollWidth > e.clientWidth + 1 || e.getBoundingClientRect().right > w.innerWidth,
      ).length;
      return { page: w.document.documentElement.scrollWidth <= w.innerWidth, overflowing };
    });
    expect(fits).toEqual({ page: true, overflowing: 0 });
    await page.screenshot({ path: path.join(screenshotDir, screenshot), fullPage: true });
    await context.close();
  });

  it('counts declines as failed, and marks them only when payments keep failing', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 900 } });
    const page = await openPage(context);
    await factShows(page, 'terminal-1', 'Payments since', '4 approved, 0 declined or failed');
    await setTerminalFaults({ declineEvery: 1 });
    try {
      const declined = await runTill(['zvt', '--connect', `${tillAddress.host}:${tillAddress.port}`, '--payments', '3']);
      expect(declined).toMatchObject({ code: 0, summary: { approved: 0, declined: 3 } });
    } finally {
      await setTerminalFaults({ declineEvery: 0 });
    }
    // Three in a row (the default transactionsFailingAfter): terminal.transactions_failing.
    await card(page, 'terminal-1').and(page.locator('[data-state="fault"]')).waitFor();
    await factShows(page, 'terminal-1', 'Payments since', '4 approved, 3 declined or failed');
    await factShows(page, 'terminal-1', 'Last payment', /^Declined at \d{1,2}:\d\d/);
    expect(await card(page, 'terminal-1').locator('dd.bad').allTextContents()).toEqual(['4 approved, 3 declined or failed', expect.stringMatching(/^Declined at/)]);
    expect(await card(page, 'terminal-1').locator('.summary').textContent()).toBe('Payments keep failing');
    await page.locator('.runbook[data-condition="terminal.transactions_failing"]').waitFor();
    await page.screenshot({ path: path.join(screenshotDir, 'status-passthrough-failing.png'), fullPage: true });

    // One approved payment ends the run: the card is back to working, nothing marked.
    expect(await runTill(['zvt', '--connect', `${tillAddress.host}:${tillAddress.port}`, '--payments', '1'])).toMatchObject({ code: 0, summary: { approved: 1 } });
    await card(page, 'terminal-1').and(page.locator('[data-state="ok"]')).waitFor();
    await factShows(page, 'terminal-1', 'Payments since', '5 approved, 3 declined or failed');
    expect(await card(page, 'terminal-1').locator('.bad').count()).toBe(0);
    await context.close();
  });
});
