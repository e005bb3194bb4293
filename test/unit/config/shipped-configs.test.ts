/** The configs that ship in config/: the embedded default and the examples must load as-is. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedDefaultConfigPath, formatConfigError, loadConfigFile } from '../../../src/config/index.js';

async function load(file: string) {
  const result = await loadConfigFile(file, { cwd: '/srv/shop' });
  if (!result.ok) throw new Error(result.errors.map(formatConfigError).join('\n'));
  return result.config;
}

const examples = path.join(path.dirname(embeddedDefaultConfigPath()), 'examples');

describe('config/default.yaml', () => {
  it('runs a simulated printer and a simulated terminal, and nothing that needs hardware or a network', async () => {
    expect(await load(embeddedDefaultConfigPath())).toEqual({
      http: { listen: { host: '127.0.0.1', port: 9137 }, token: null, tls: null },
      storage: { dir: '/srv/shop/data', maxSizeMb: 64, readingsDays: 7, historyDays: 90, sampleIntervalMs: 60_000 },
      log: { level: 'info', format: 'auto', file: null, maxSize: 10 * 1024 * 1024, maxFiles: 5 },
      devices: [
        {
          id: 'printer-sim',
          name: 'Simulated receipt printer',
          driver: 'escpos',
          transport: { type: 'simulator', faults: {}, pty: 'auto' },
          mode: 'exclusive',
          passthrough: null,
          pollIntervalMs: 1_000,
          requestTimeoutMs: 500,
          unreachableAfter: 3,
          reconnect: { minDelayMs: 250, maxDelayMs: 10_000 },
          options: { asb: false, identify: true },
        },
        {
          id: 'terminal-sim',
          name: 'Simulated payment terminal',
          driver: 'zvt',
          transport: { type: 'simulator', faults: {}, pty: 'auto' },
          mode: 'exclusive',
          passthrough: null,
          pollIntervalMs: 1_000,
          requestTimeoutMs: 500,
          unreachableAfter: 3,
          reconnect: { minDelayMs: 250, maxDelayMs: 10_000 },
          options: {
            password: '000000',
            statusEnquiryServiceByte: 6,
            identify: true,
            completionTimeout: '180s',
            settlementOverdueAfter: '26h',
            transactionsFailingAfter: 3,
            allowStateChanging: false,
            registrationConfigByte: 8,
          },
        },
      ],
      network: { intervalMs: 10_000, timeoutMs: 5_000, checkGateway: true, tlsExpiryWarningDays: 14, lossThresholdPercent: 10, latencyThresholdMs: 400, targets: [] },
      host: { intervalMs: 60_000, minFreeDiskMb: 500, minFreeDiskPercent: 5 },
      selfCheck: { cron: '0 6 * * *', timezone: null },
      settlementReminder: { cron: null, timezone: null },
      site: { id: null, name: null },
      alerts: { failureThreshold: 3, successThreshold: 2, reminderIntervalMs: 4 * 3_600_000, openingHours: null, maintenance: [] },
      notify: { timeoutMs: 10_000, retry: { initialDelayMs: 1_000, maxDelayMs: 60_000 }, webhooks: [], alertmanager: [] },
      heartbeat: { intervalMs: 60_000, timeoutMs: 10_000, instance: null, pushgateway: null, webhook: null },
    });
  });

  it('tells a newcomer to use the stable by-id path for a real serial printer', () => {
    const text = readFileSync(embeddedDefaultConfigPath(), 'utf8');
    expect(text).toContain('/dev/serial/by-id/');
    expect(text).toMatch(/ttyUSB numbers .* change/s);
  });
});

describe('config/examples', () => {
  it('serial-printer.yaml watches a printer on a by-id serial path', async () => {
    const [device] = (await load(path.join(examples, 'serial-printer.yaml'))).devices;
    expect(device?.transport).toMatchObject({ type: 'serial', baudRate: 19200 });
    expect(device?.transport.type === 'serial' && device.transport.path).toMatch(/^\/dev\/serial\/by-id\//);
  });

  it('network-terminal.yaml watches a ZVT terminal on TCP port 20007, Status-Enquiry only', async () => {
    const [device] = (await load(path.join(examples, 'network-terminal.yaml'))).devices;
    expect(device).toMatchObject({ driver: 'zvt', transport: { type: 'tcp', port: 20007 }, options: { allowStateChanging: false } });
  });

  it('serial-terminal.yaml watches a ZVT terminal on a by-id serial path at 9600 baud', async () => {
    const [device] = (await load(path.join(examples, 'serial-terminal.yaml'))).devices;
    expect(device).toMatchObject({ driver: 'zvt', transport: { type: 'serial', baudRate: 9600 }, options: { allowStateChanging: false } });
    expect(device?.transport.type === 'serial' && device.transport.path).toMatch(/^\/dev\/serial\/by-id\//);
  });

  it('network-printer.yaml watches a printer on raw TCP port 9100', async () => {
    const [device] = (await load(path.join(examples, 'network-printer.yaml'))).devices;
    expect(device?.transport).toEqual({ type: 'tcp', host: '192.168.1.50', port: 9100, connectTimeoutMs: 3_000 });
  });
});
