import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { type Config, type ConfigResult, formatConfigError, loadConfigFile, parseConfigText } from '../../../src/config/index.js';

const CWD = path.resolve('/srv/posdiag');

function parse(text: string): ConfigResult {
  return parseConfigText(text, 'posdiag.yaml', { cwd: CWD });
}

function config(text: string): Config {
  const result = parse(text);
  if (!result.ok) throw new Error(`expected a valid config:\n${result.errors.map(formatConfigError).join('\n')}`);
  return result.config;
}

function problems(text: string): string[] {
  const result = parse(text);
  return result.ok ? [] : result.errors.map(formatConfigError);
}

const DEFAULTS: Config = {
  http: { listen: { host: '127.0.0.1', port: 9137 }, token: null, tls: null },
  storage: { dir: path.join(CWD, 'data'), maxSizeMb: 64, readingsDays: 7, historyDays: 90, sampleIntervalMs: 60_000 },
  log: { level: 'info', format: 'auto', file: null, maxSize: 10 * 1024 * 1024, maxFiles: 5 },
  devices: [],
  network: { intervalMs: 10_000, timeoutMs: 5_000, checkGateway: true, tlsExpiryWarningDays: 14, lossThresholdPercent: 10, latencyThresholdMs: 400, targets: [] },
  host: { intervalMs: 60_000, minFreeDiskMb: 500, minFreeDiskPercent: 5 },
  selfCheck: { cron: '0 6 * * *', timezone: null },
  settlementReminder: { cron: null, timezone: null },
  site: { id: null, name: null },
  alerts: { failureThreshold: 3, successThreshold: 2, reminderIntervalMs: 4 * 3_600_000, openingHours: null, maintenance: [] },
  notify: { timeoutMs: 10_000, retry: { initialDelayMs: 1_000, maxDelayMs: 60_000 }, webhooks: [], alertmanager: [] },
  heartbeat: { intervalMs: 60_000, timeoutMs: 10_000, instance: null, pushgateway: null, webhook: null },
};

describe('parseConfigText: defaults', () => {
  it.each([
    ['an empty file', ''],
    ['only comments', '# nothing configured yet\n\n# really\n'],
    ['an empty mapping', '{}\n'],
    ['empty sections', 'http: {}\nstorage: {}\nlog: {}\nnetwork: {}\ndevices: []\n'],
    ['a byte order mark', '\ufeff# saved by Notepad\n'],
  ])('%s means all defaults', (_, text) => {
    expect(config(text)).toEqual(DEFAULTS);
  });

  it('fills in every default of a device, and names it after its id', () => {
    const { devices } = config('devices:\n  - { id: printer-1, driver: escpos, transport: { type: serial, path: /dev/ttyS0 } }\n');
    expect(devices).toEqual([
      {
        id: 'printer-1',
        name: 'printer-1',
        driver: 'escpos',
        transport: { type: 'serial', path: '/dev/ttyS0', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, rtscts: false },
        mode: 'exclusive',
        passthrough: null,
        pollIntervalMs: 1_000,
        requestTimeoutMs: 500,
        unreachableAfter: 3,
        reconnect: { minDelayMs: 250, maxDelayMs: 10_000 },
        options: { asb: false, identify: true },
      },
    ]);
  });

  it('reads every key of a device', () => {
    const [device] = config(`
devices:
  - id: front_printer-2
    name: Front counter
    driver: escpos
    transport: { type: tcp, host: 192.168.1.50, port: 9100, connectTimeout: 1.5s }
    mode: passthrough
    passthrough: { type: tcp, listen: 127.0.0.1:19100, idleGap: 20ms }
    pollInterval: 50ms
    requestTimeout: 20ms
    unreachableAfter: 100
    reconnect: { minDelay: 10ms, maxDelay: 1h }
    options: { asb: true, identify: false }
`).devices;
    expect(device).toEqual({
      id: 'front_printer-2',
      name: 'Front counter',
      driver: 'escpos',
      transport: { type: 'tcp', host: '192.168.1.50', port: 9100, connectTimeoutMs: 1_500 },
      mode: 'passthrough',
      passthrough: { type: 'tcp', listen: { host: '127.0.0.1', port: 19100 }, idleGapMs: 20 },
      pollIntervalMs: 50,
      requestTimeoutMs: 20,
      unreachableAfter: 100,
      reconnect: { minDelayMs: 10, maxDelayMs: 3_600_000 },
      options: { asb: true, identify: false },
    });
  });

  it('passes simulator faults through as written, for the simulator to check', () => {
    const [device] = config('devices:\n  - { id: sim, driver: escpos, transport: { type: simulator, faults: { paperOut: true, whatever: 3 }, pty: never } }\n').devices;
    expect(device?.transport).toEqual({ type: 'simulator', faults: { paperOut: true, whatever: 3 }, pty: 'never' });
  });

  it('gives every parse its own default objects', () => {
    const a = config('devices:\n  - { id: a, driver: escpos, transport: { type: simulator } }\n');
    const b = config('devices:\n  - { id: a, driver: escpos, transport: { type: simulator } }\n');
    const faultsA = a.devices[0]?.transport.type === 'simulator' ? a.devices[0].transport.faults : null;
    const faultsB = b.devices[0]?.transport.type === 'simulator' ? b.devices[0].transport.faults : null;
    expect(faultsA).not.toBe(faultsB);
    expect(config('').devices).not.toBe(config('').devices);
  });

  it('reads network targets with their defaults', () => {
    expect(config('network:\n  interval: 1m\n  timeout: 2s\n  targets:\n    - { name: acquirer.main, host: "2001:db8::7", port: 443 }\n').network).toEqual({
      intervalMs: 60_000,
      timeoutMs: 2_000,
      checkGateway: true,
      tlsExpiryWarningDays: 14,
      lossThresholdPercent: 10,
      latencyThresholdMs: 400,
      targets: [{ name: 'acquirer.main', host: '2001:db8::7', port: 443, tls: false, icmp: true }],
    });
  });

  it('resolves storage.dir against the working directory, and keeps absolute paths', () => {
    expect(config('storage: { dir: ../state }\n').storage.dir).toBe(path.resolve(CWD, '../state'));
    expect(config('storage: { dir: /var/lib/posdiag }\n').storage.dir).toBe(path.resolve('/var/lib/posdiag'));
    const here = parseConfigText('', 'x.yaml');
    expect(here.ok && here.config.storage.dir).toBe(path.resolve('data'));
  });
});

describe('parseConfigText: http', () => {
  it.each([
    ['127.0.0.1:9137', null],
    ["'[::1]:9137'", null],
    ['localhost:8080', null],
    ['127.0.0.1:0', null],
    ['0.0.0.0:9137', '0123456789abcdef'],
    ["'[::]:9137'", 'a-long-enough-token!'],
  ])('accepts listen %s with token %s', (listen, token) => {
    const { http } = config(`http:\n  listen: ${listen}\n  token: ${token === null ? 'null' : JSON.stringify(token)}\n`);
    expect(http.token).toBe(token);
  });

  it('requires a token on any non-loopback address, IPv6 included', () => {
    expect(problems("http:\n  listen: '[::]:9137'\n")).toEqual([
      'posdiag.yaml:2 http.listen: [::]:9137 can be reached from other machines, so http.token is required; set http.token to a secret of at least 16 characters, or listen on 127.0.0.1',
    ]);
  });

  it('never repeats the token in its messages', () => {
    const secrets = ['hunter2', 'has a space in it but long', 12345678901234567890];
    for (const secret of secrets) {
      const found = problems(`http:\n  token: ${JSON.stringify(secret)}\n`);
      expect(found).toHaveLength(1);
      expect(found[0]).not.toContain(String(secret));
    }
    expect(problems('http:\n  token: 12345678901234567890\n')).toEqual([
      'posdiag.yaml:2 http.token: must be text of at least 16 characters, or null for no token',
    ]);
    expect(problems('http:\n  token: "has a space in it but long"\n')).toEqual([
      'posdiag.yaml:2 http.token: may only contain letters, digits and punctuation, without spaces',
    ]);
  });

  it('says what a bare port number in listen lacks', () => {
    expect(problems('http:\n  listen: 9137\n')).toEqual([
      "posdiag.yaml:2 http.listen: needs a host before the port (got '9137'); e.g. 127.0.0.1:9137",
    ]);
  });
});

describe('parseConfigText: problems', () => {
  it('locates each problem by line and column', () => {
    const result = parse('devices:\n  - id: p\n    driver: escpos\n    transport: { type: tcp, host: h, port: 0 }\n');
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          file: 'posdiag.yaml',
          line: 4,
          column: 44,
          key: 'devices[0].transport.port',
          message: 'must be a port number from 1 to 65535 (got 0)',
        },
      ],
    });
  });

  it('points a missing key at the key that should contain it', () => {
    expect(problems('devices:\n  - id: p\n    transport:\n      type: simulator\n')).toEqual([
      'posdiag.yaml:2 devices[0].driver: is required: one of escpos or zvt',
    ]);
    expect(problems('network:\n  targets:\n    - name: acquirer\n      port: 443\n')).toEqual(['posdiag.yaml:3 network.targets[0].host: is required']);
  });

  it('says a key with nothing after it has no value', () => {
    expect(problems('http:\nstorage:\n  dir:\n')).toEqual([
      'posdiag.yaml:1 http: has no value; fill it in or remove the line',
      'posdiag.yaml:3 storage.dir: has no value; fill it in or remove the line',
    ]);
  });

  it('suggests close values for misspelt choices', () => {
    expect(problems('log:\n  level: inof\n  format: JSON\n')).toEqual([
      "posdiag.yaml:2 log.level: must be one of fatal, error, warn, info, debug or trace (got 'inof'); did you mean info?",
      "posdiag.yaml:3 log.format: must be one of auto, json or pretty (got 'JSON'); did you mean json?",
    ]);
  });

  it('reports unknown keys at the top level and inside options', () => {
    expect(problems('htpp: {}\ndevices:\n  - { id: a, driver: escpos, transport: { type: simulator, fault: {} }, options: { asv: true } }\n')).toEqual([
      'posdiag.yaml:1 htpp: unknown key; did you mean http?',
      'posdiag.yaml:3 devices[0].transport.fault: unknown key; did you mean faults?',
      'posdiag.yaml:3 devices[0].options.asv: unknown key; did you mean asb?',
    ]);
  });

  it('reports YAML problems with the line', () => {
    expect(problems('http:\n  listen: 127.0.0.1:9137\nhttp:\n  token: null\n')).toEqual([
      'posdiag.yaml:3: YAML syntax error: Map keys must be unique',
    ]);
    expect(problems('a: 1\n---\nb: 2\n')).toEqual([
      'posdiag.yaml:2: YAML syntax error: Source contains multiple documents; please use YAML.parseAllDocuments()',
    ]);
    expect(problems('http:\n  token: !secret foo\n')).toEqual(['posdiag.yaml:2: YAML problem: Unresolved tag: !secret']);
    expect(problems("http:\n  listen: [::1]:9137\n")).toEqual(['posdiag.yaml:2: YAML syntax error: Unexpected scalar at node end']);
  });

  it('refuses an alias bomb without hanging', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 10; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const result = parse(`${lines.join('\n')}\n`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors[0]?.message).toMatch(/^YAML problem: Excessive alias count/);
  });

  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map((value) => stringify(value))), (text) => {
        const result = parse(text);
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
          for (const error of result.errors) expect(error.message).not.toBe('');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'posdiag-config-'));

  it('reads a file and names it in its errors as given', async () => {
    const file = path.join(dir, 'posdiag.yaml');
    writeFileSync(file, 'log:\n  level: loud\n');
    const result = await loadConfigFile(file);
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([
      `${file}:2 log.level: must be one of fatal, error, warn, info, debug or trace (got 'loud')`,
    ]);
  });

  it('returns the OS reason when the file cannot be read', async () => {
    const missing = path.join(dir, 'nope.yaml');
    expect(await loadConfigFile(missing)).toEqual({
      ok: false,
      errors: [{ file: missing, line: null, column: null, key: '', message: 'cannot read the file: no such file or directory (ENOENT)' }],
    });
    const result = await loadConfigFile(dir);
    expect(result.ok ? [] : result.errors.map(formatConfigError)).toEqual([
      `${dir}: cannot read the file: illegal operation on a directory (EISDIR)`,
    ]);
  });

  it('uses the cwd option for relative paths', async () => {
    const file = path.join(dir, 'storage.yaml');
    writeFileSync(file, 'storage: { dir: state }\n');
    const result = await loadConfigFile(file, { cwd: dir });
    expect(result.ok && result.config.storage.dir).toBe(path.join(dir, 'state'));
  });
});
