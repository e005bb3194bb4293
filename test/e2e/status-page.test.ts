import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentUnderTest, startAgentProcess } from '../helpers/agent.js';
import { launchChromium, screenshotDir } from '../helpers/browser.js';
import { type Running, tcpOpen } from '../integration/probes/helpers/servers.js';

// The status page in a real chromium against a real `posdiag run` (the compiled CLI) with a
// simulated printer and terminal and an "acquirer" on loopback. One browser for the file.
// Waits are on page content and events, never on fixed sleeps.

const token = 'e2e-secret-token-7f3a9c1d5b';

let dir: string;
let acquirer: Running;
let agent: AgentUnderTest;
let tokenAgent: AgentUnderTest;
let browser: Browser;
const problems: string[] = [];

function agentConfig(sub: string, extra = ''): string {
  return `
http: { listen: 127.0.0.1:0${extra} }
storage: { dir: ${dir}/${sub} }
alerts: { failureThreshold: 1, successThreshold: 1 }
devices:
  - { id: printer-sim, name: Counter printer, driver: escpos, transport: { type: simulator, pty: never }, pollInterval: 300ms }
  - { id: terminal-sim, name: Card terminal, driver: zvt, transport: { type: simulator, pty: never }, pollInterval: 300ms }
network:
  interval: 1s
  timeout: 500ms
  targets:
    - { name: acquirer, host: 127.0.0.1, port: ${acquirer.port}, icmp: false }
`;
}

/** A page whose console errors and uncaught exceptions fail the file (see the last test). */
async function openPage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  // Well inside the test's own timeout, so a failed wait names what it waited for.
  page.setDefaultTimeout(10_000);
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.goto(url);
  return page;
}

async function setFaults(faults: Record<string, unknown>, target = agent): Promise<void> {
  const response = await fetch(`${target.url}/api/v1/simulators/printer-sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(faults),
  });
  expect(response.status).toBe(200);
}

/**
 * The page's globals inside page.evaluate (this file has no DOM types). Used as an inline cast:
 * the callbacks are serialised into the page, so they cannot close over a helper.
 */
type PageGlobals = {
  document: { documentElement: { scrollWidth: number }; querySelectorAll(selector: string): Iterable<unknown>; getElementById(id: string): { textContent: string | null } | null };
  innerWidth: number;
  getComputedStyle(element: unknown): { color: string; backgroundColor: string };
};

const printerCard = (page: Page, state: string) => page.locator(`.card[data-subject="device:printer-sim"][data-state="${state}"]`);

/**
 * The page has its first view: printer and network answer. (Not "overall ok": after a check-now
 * the host check may rightly find this test machine's CPU busy, and the overall follows it.)
 */
async function ready(page: Page): Promise<void> {
  await printerCard(page, 'ok').waitFor();
  await page.locator('.card[data-subject="network"][data-state="ok"]').waitFor();
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-e2e-'));
  acquirer = await tcpOpen();
  [agent, tokenAgent, browser] = await Promise.all([
    startAgentProcess(agentConfig('a')),
    startAgentProcess(agentConfig('b', `, token: ${token}`)),
    launchChromium(),
  ]);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([agent?.stop(), tokenAgent?.stop()]);
  await acquirer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('status page', () => {
  it('shows the till in English for an en-US browser: overall state, one card per device and the network', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 900 } });
    const page = await openPage(context, agent.url);
    await page.locator('#overall.s-ok').waitFor();
    await page.locator('.card[data-subject="network"][data-state="ok"]').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.title()).toBe('Till status');
    expect(await page.textContent('#overall-state')).toBe('Working');
    expect(await page.locator('.card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-subject')))).toEqual([
      'device:printer-sim',
      'device:terminal-sim',
      'network',
      'host',
    ]);
    const printer = page.locator('.card[data-subject="device:printer-sim"]');
    await expect.poll(() => printer.locator('.tag').textContent()).toBe('Simulated');
    expect(await printer.locator('h2').textContent()).toContain('Counter printer');
    expect(await printer.textContent()).toMatch(/since \d/);
    expect(await page.textContent('#live')).toBe('Live: this page updates by itself.');
    await page.screenshot({ path: path.join(screenshotDir, 'status-en-ok.png'), fullPage: true });
    await context.close();
  });

  it('shows the till in Simplified Chinese for a zh-CN browser, and switches language on request', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1100, height: 900 } });
    const page = await openPage(context, agent.url);
    await page.locator('#overall.s-ok').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.textContent('#overall-state')).toBe('正常');
    expect(await page.textContent('.card[data-subject="device:printer-sim"] .tag')).toBe('模拟设备');
    expect(await page.textContent('.card[data-subject="network"]')).toContain('网络与支付服务');
    await page.screenshot({ path: path.join(screenshotDir, 'status-zh-ok.png'), fullPage: true });
    await page.selectOption('#lang', 'en');
    await page.locator('#overall-state', { hasText: 'Working' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await context.close();
  });

  it('updates live when the printer runs out of paper, with the runbook, and again when paper is back', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1100, height: 900 } });
    const page = await openPage(context, agent.url);
    await printerCard(page, 'ok').waitFor();
    await setFaults({ paperOut: true });
    await printerCard(page, 'fault').waitFor();
    expect(await page.textContent('#overall-state')).toBe('故障');
    expect(await page.textContent('#headline')).toContain('Counter printer');
    expect(await page.textContent('.card[data-subject="device:printer-sim"] .summary')).toBe('打印机缺纸');
    const runbook = page.locator('.runbook[data-condition="printer.paper_out"]');
    expect(await runbook.locator('ol li').allTextContents()).toEqual(['打开纸仓盖', '装入新的热敏纸卷(打印面朝向打印头)', '合紧纸仓盖并打印测试小票']);
    expect(await runbook.locator('ul li').first().textContent()).toContain('打印机型号');
    // The terminal and the network stay fine: the page says which part is broken.
    expect(await page.getAttribute('.card[data-subject="device:terminal-sim"]', 'data-state')).toBe('ok');
    await page.screenshot({ path: path.join(screenshotDir, 'status-zh-fault.png'), fullPage: true });
    await page.selectOption('#lang', 'en');
    await page.locator('.runbook h3', { hasText: 'Printer is out of paper' }).waitFor();
    await page.screenshot({ path: path.join(screenshotDir, 'status-en-fault.png'), fullPage: true });

    await setFaults({ paperOut: false });
    await printerCard(page, 'ok').waitFor();
    await page.locator('.runbook').waitFor({ state: 'detached' });
    await context.close();
  });

  it('runs "check now" from the keyboard and shows the result', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openPage(context, agent.url);
    await ready(page);
    await page.locator('#check').focus();
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/api/v1/check')), page.keyboard.press('Enter')]);
    expect(response.status()).toBe(200);
    const body = (await response.json()) as { status: { overall: 'ok' | 'degraded' | 'down' | 'unknown'; devices: Array<{ pollCount: number }> } };
    expect(body.status.devices.every((d) => d.pollCount > 0)).toBe(true);
    // The result line names the state the round found, in the page's words.
    const word = { ok: 'Working', degraded: 'Needs attention', down: 'Fault', unknown: 'Checking…' }[body.status.overall];
    await expect.poll(() => page.textContent('#action-result'), { timeout: 10_000 }).toMatch(new RegExp(`^Checked at \\d.+: ${word}\\.$`));
    await context.close();
  });

  it('downloads a support bundle with versions, identities, status, history, probes and logs', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openPage(context, agent.url);
    await ready(page);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#bundle')]);
    expect(download.suggestedFilename()).toMatch(/^posdiag-bundle-\d{8}-\d{6}\.json$/);
    const bundle = JSON.parse(await readFile((await download.path())!, 'utf8'));
    expect(bundle).toMatchObject({ kind: 'posdiag-support-bundle', source: 'agent', agent: { version: expect.stringMatching(/^\d+\.\d+\.\d+/) } });
    const printer = bundle.devices.find((d: { id: string }) => d.id === 'printer-sim');
    expect(printer).toMatchObject({ simulated: true, model: expect.any(String), serial: expect.any(String), firmware: expect.any(String) });
    expect(bundle.status.devices).toHaveLength(2);
    expect(bundle.network.path.targets[0].layers.map((l: { layer: string }) => l.layer)).toContain('tcp');
    expect(bundle.history.subjects['device:printer-sim'].changes.length).toBeGreaterThan(0);
    // The paper-out fault of the live-update test is in the last 24 hours.
    expect(bundle.alerts.last24h).toContainEqual(expect.objectContaining({ condition: 'printer.paper_out', kind: 'raised' }));
    expect(bundle.logs.some((l: { msg?: string }) => l.msg === 'posdiag listening')).toBe(true);
    await page.locator('#action-result', { hasText: 'Support bundle saved as' }).waitFor();
    await context.close();
  });

  it('works behind a token (taken from the address once) and keeps the token out of the bundle', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openPage(context, tokenAgent.url);
    await page.locator('#token-form').waitFor({ state: 'visible' });
    await page.fill('#token', token);
    await page.press('#token', 'Enter');
    await page.locator('.card[data-subject="device:printer-sim"][data-state="ok"]').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#bundle')]);
    const text = await readFile((await download.path())!, 'utf8');
    expect(text).not.toContain(token);
    expect(JSON.parse(text).config.http.token).toBe('[redacted]');

    const linked = await openPage(context, `${tokenAgent.url}/#token=${token}`);
    await linked.locator('.card[data-state="ok"]').first().waitFor();
    expect(linked.url()).toBe(`${tokenAgent.url}/`);
    await context.close();
  });

  it('fits a phone screen, prints without its buttons, and has readable colours and labels', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await openPage(context, agent.url);
    await ready(page);
    await page.locator('.card svg.timeline').first().waitFor();
    expect(await page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      return w.document.documentElement.scrollWidth <= w.innerWidth;
    })).toBe(true);
    await page.screenshot({ path: path.join(screenshotDir, 'status-phone.png'), fullPage: true });

    // WCAG contrast of every state text on its background, and labels for what is not text.
    const ratios = await page.evaluate(() => {
      const w = globalThis as unknown as PageGlobals;
      const luminance = (rgb: string) => {
        const [r, g, b] = rgb.match(/\d+/g)!.slice(0, 3).map((v) => {
          const c = Number(v) / 255;
          return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      };
      return [...w.document.querySelectorAll('.overall, .badge, button')].map((element) => {
        const style = w.getComputedStyle(element);
        const [a, b] = [luminance(style.color), luminance(style.backgroundColor)].sort((x, y) => y - x);
        return (a! + 0.05) / (b! + 0.05);
      });
    });
    expect(ratios.length).toBeGreaterThan(4);
    for (const ratio of ratios) expect(ratio).toBeGreaterThanOrEqual(4.5);
    for (const label of await page.locator('svg[role="img"]').evaluateAll((svgs) => svgs.map((s) => s.getAttribute('aria-label')))) {
      expect(label).toMatch(/\S/);
    }
    const cardTitles = await page
      .locator('.card')
      .evaluateAll((cards) => cards.map((c) => (globalThis as unknown as PageGlobals).document.getElementById(c.getAttribute('aria-labelledby')!)?.textContent));
    for (const card of cardTitles) {
      expect(card).toMatch(/\S/);
    }
    expect(await page.getAttribute('#lang', 'id')).toBe(await page.getAttribute('label[for="lang"]', 'for'));

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#check').isVisible()).toBe(false);
    expect(await page.locator('#lang').isVisible()).toBe(false);
    expect(await page.locator('.card').first().isVisible()).toBe(true);
    await context.close();
  });

  it('is small and needs nothing from another site', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(agent.url);
    await ready(page);
    expect(requests.every((url) => url.startsWith(agent.url))).toBe(true);
    // The page's own files, as a browser that accepts gzip receives them.
    const files = ['/', '/ui/style.css', '/ui/app.js', '/ui/render.js', '/ui/charts.js', '/ui/messages/en.json'];
    let raw = 0;
    let gzipped = 0;
    for (const file of files) {
      const plain = await fetch(`${agent.url}${file}`, { headers: { 'accept-encoding': 'identity' } });
      raw += (await plain.arrayBuffer()).byteLength;
      const compressed = await fetch(`${agent.url}${file}`, { headers: { 'accept-encoding': 'gzip' } });
      gzipped += Number(compressed.headers.get('content-length') ?? (await compressed.arrayBuffer()).byteLength);
    }
    await writeFile(path.join(screenshotDir, '..', 'page-weight.json'), `${JSON.stringify({ files, rawBytes: raw, gzipBytes: gzipped }, null, 2)}\n`);
    expect(raw).toBeLessThan(64 * 1024);
    expect(gzipped).toBeLessThan(20 * 1024);
    await context.close();
  });
});

describe('cross-site requests', () => {
  let evil: Server;
  let evilUrl: string;

  beforeAll(async () => {
    // Another site the shop's browser might have open: 127.0.0.2 is a different site from
    // 127.0.0.1 to the browser, and still loopback.
    evil = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>evil</title><p>hello</p>');
    });
    evil.listen(0, '127.0.0.2');
    await once(evil, 'listening');
    evilUrl = `http://127.0.0.2:${(evil.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    evil.closeAllConnections();
    await new Promise((resolve) => evil.close(resolve));
  });

  it('cannot switch a fault or run a check from a page on another site', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(evilUrl);
    const statuses: Array<[string, number]> = [];
    page.on('response', (response) => statuses.push([`${response.request().method()} ${new URL(response.url()).pathname}`, response.status()]));
    const target = agent.url;
    const outcome = await page.evaluate(async (agentUrl) => {
      const results: string[] = [];
      // A "simple" request needs no preflight, so the browser sends it; the agent must refuse it.
      await fetch(`${agentUrl}/api/v1/simulators/printer-sim/faults`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"paperOut":true}' });
      await fetch(`${agentUrl}/api/v1/check`, { method: 'POST', mode: 'no-cors', body: '{}' });
      // With JSON or a custom header the browser asks first (preflight), and the agent never allows it.
      for (const path of ['/api/v1/simulators/printer-sim/faults', '/api/v1/check']) {
        try {
          await fetch(`${agentUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-posdiag-csrf': 'guess' }, body: '{"paperOut":true}' });
          results.push('sent');
        } catch {
          results.push('blocked');
        }
      }
      return results;
    }, target);
    expect(outcome).toEqual(['blocked', 'blocked']);
    expect(statuses).toContainEqual(['POST /api/v1/simulators/printer-sim/faults', 403]);
    expect(statuses).toContainEqual(['POST /api/v1/check', 403]);
    const faults = (await (await fetch(`${agent.url}/api/v1/simulators/printer-sim/faults`)).json()) as { paperOut: boolean };
    expect(faults.paperOut).toBe(false);
    await context.close();
  });
});

describe('the internet is down, the devices are fine', () => {
  it('says so in the headline and on the network card, with the network runbook', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openPage(context, agent.url);
    await ready(page);
    // The acquirer stops accepting connections: the path breaks at TCP.
    await acquirer.close();
    await page.locator('.card[data-subject="network"][data-state="fault"]').waitFor();
    expect(await page.textContent('#headline')).toBe('Your internet connection has a problem. The devices themselves are fine.');
    expect(await page.textContent('.card[data-subject="network"] .facts')).toContain('Not reachable: no connection');
    expect(await page.getAttribute('.card[data-subject="device:printer-sim"]', 'data-state')).toBe('ok');
    expect(await page.getAttribute('.card[data-subject="device:terminal-sim"]', 'data-state')).toBe('ok');
    expect(await page.locator('.runbook[data-condition="network.acquirer_unreachable"] ol li').first().textContent()).toMatch(/backup connection/);
    await page.screenshot({ path: path.join(screenshotDir, 'status-en-network-down.png'), fullPage: true });
    await context.close();
  });
});

describe('losing the agent', () => {
  it('says so on the page when the agent stops, and no page logged an error before', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    const page = await openPage(context, agent.url);
    await printerCard(page, 'ok').waitFor();
    expect(problems).toEqual([]);
    await agent.stop();
    await page.locator('#live.lost', { hasText: 'Lost contact with the agent' }).waitFor();
    await context.close();
  });
});
