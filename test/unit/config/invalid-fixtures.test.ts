/**
 * One broken file per rule (blackbox_exporter's testdata/invalid-*.yml), each paired with the
 * exact lines a technician would see. A new fixture without a row here fails the last test.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatConfigError, parseConfigText } from '../../../src/config/index.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/config');

const BAUD_RATES = '1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800 or 921600';

const cases: Record<string, string[]> = {
  'invalid-unknown-key.yaml': ['invalid-unknown-key.yaml:6 devices[0].pollIntervall: unknown key; did you mean pollInterval?'],
  'invalid-unknown-key-no-suggestion.yaml': ['invalid-unknown-key-no-suggestion.yaml:3 storage.retention: unknown key; allowed here: dir, maxSizeMb, readingsDays, historyDays, sampleInterval'],
  'invalid-duration.yaml': ["invalid-duration.yaml:5 devices[0].pollInterval: has an unknown unit 'sec' in '10sec'; use ms, s, m or h"],
  'invalid-duration-bare-number.yaml': [
    'invalid-duration-bare-number.yaml:5 devices[0].requestTimeout: has no unit (got 500); write it with one, e.g. 500ms or 500s',
  ],
  'invalid-duration-too-short.yaml': [
    'invalid-duration-too-short.yaml:5 devices[0].pollInterval: must be at least 1ms (got 0ms)',
    'invalid-duration-too-short.yaml:6 devices[0].requestTimeout: must be at least 10ms (got 5ms)',
  ],
  'invalid-baud-rate.yaml': [`invalid-baud-rate.yaml:7 devices[0].transport.baudRate: must be one of ${BAUD_RATES} (got 9601)`],
  'invalid-duplicate-id.yaml': ["invalid-duplicate-id.yaml:8 devices[2].id: 'printer-1' is already used by devices[0]; each id must be unique"],
  'invalid-duplicate-target-name.yaml': [
    "invalid-duplicate-target-name.yaml:4 network.targets[1].name: 'acquirer' is already used by network.targets[0]; each name must be unique",
  ],
  'invalid-id-chars.yaml': [
    "invalid-id-chars.yaml:2 devices[0].id: may only contain a-z, 0-9, '-' and '_'; 'Front Printer' contains 'F', a space and 'P' (use lower case letters)",
  ],
  'invalid-listen-without-token.yaml': [
    'invalid-listen-without-token.yaml:2 http.listen: 0.0.0.0:9137 can be reached from other machines, so http.token is required; set http.token to a secret of at least 16 characters, or listen on 127.0.0.1',
  ],
  'invalid-short-token.yaml': ['invalid-short-token.yaml:3 http.token: must be at least 16 characters long (got 9)'],
  'invalid-host-leading-dash.yaml': [
    "invalid-host-leading-dash.yaml:4 network.targets[0].host: host must be a host name or IP address; '-f' starts with '-'",
  ],
  'invalid-host-space.yaml': [
    "invalid-host-space.yaml:3 network.targets[0].host: host must be a host name or IP address; 'pay example.com' contains a space",
  ],
  'invalid-passthrough-mode.yaml': [
    'invalid-passthrough-mode.yaml:6 devices[0].passthrough.type: must be pty for a zvt device on serial: zvt frames its bytes differently on a serial line and on TCP, and passthrough forwards them unchanged',
    'invalid-passthrough-mode.yaml:7 devices[1].passthrough: is required with mode: passthrough, e.g. { type: pty, link: /run/posdiag/printer-1 } or { type: tcp, listen: 127.0.0.1:9100 }',
    'invalid-passthrough-mode.yaml:14 devices[2].passthrough: applies only with mode: passthrough; add it, or remove this section',
    'invalid-passthrough-mode.yaml:14 devices[2].passthrough.link: may hold only letters, digits and / _ . + - (it is handed to socat, which treats , and : as separators)',
  ],
  'invalid-port.yaml': [
    'invalid-port.yaml:4 devices[0].transport.port: must be a port number from 1 to 65535 (got 91000)',
    'invalid-port.yaml:7 network.targets[0].port: must be a port number from 1 to 65535 (got 0)',
  ],
  'invalid-yaml-syntax.yaml': [
    'invalid-yaml-syntax.yaml:6: YAML syntax error: Flow map in block collection must be sufficiently indented and end with a }',
  ],
  'invalid-unknown-driver.yaml': [
    "invalid-unknown-driver.yaml:3 devices[0].driver: unknown driver 'ingenico'; known drivers: escpos or zvt",
    // Still reported although the driver is unknown.
    'invalid-unknown-driver.yaml:5 devices[0].pollIntervall: unknown key; did you mean pollInterval?',
  ],
  'invalid-missing-transport-path.yaml': [
    'invalid-missing-transport-path.yaml:4 devices[0].transport.path: is required: the serial port, e.g. /dev/serial/by-id/usb-…-if00-port0 or COM3 (`posdiag devices` lists them)',
  ],
  'invalid-reconnect-order.yaml': [
    'invalid-reconnect-order.yaml:6 devices[0].reconnect.minDelay: must not be longer than maxDelay (30s > 10s)',
  ],
  'invalid-transport-type.yaml': [
    "invalid-transport-type.yaml:4 devices[0].transport.type: must be one of serial, tcp or simulator (got 'usb')",
    'invalid-transport-type.yaml:5 devices[1].transport: is required, e.g. { type: serial, path: /dev/serial/by-id/… }, { type: tcp, host: 192.168.1.50, port: 9100 } or { type: simulator }',
  ],
  'invalid-top-level-list.yaml': ['invalid-top-level-list.yaml:1: must be a section of settings (key: value lines) (got a list)'],
  'invalid-many.yaml': [
    'invalid-many.yaml:3 http.listen: 0.0.0.0:9137 can be reached from other machines, so http.token is required; set http.token to a secret of at least 16 characters, or listen on 127.0.0.1',
    'invalid-many.yaml:4 http.tokn: unknown key; did you mean token?',
    "invalid-many.yaml:6 log.level: must be one of fatal, error, warn, info, debug or trace (got 'verbose')",
    "invalid-many.yaml:9 devices[0].driver: unknown driver 'escpo'; known drivers: escpos or zvt; did you mean escpos?",
    `invalid-many.yaml:10 devices[0].transport.baudRate: must be one of ${BAUD_RATES} (got 9601)`,
    "invalid-many.yaml:10 devices[0].transport.parity: must be one of none, even or odd (got 'yes')",
    'invalid-many.yaml:11 devices[0].pollInterval: has no unit (got 1000); write it with one, e.g. 1000ms or 1000s',
    "invalid-many.yaml:12 devices[1].id: 'printer-1' is already used by devices[0]; each id must be unique",
    "invalid-many.yaml:14 devices[1].transport.host: host must be a host name or IP address; 'https://printer.local/' looks like a URL; write only the name, e.g. pay.example.com",
    'invalid-many.yaml:15 devices[1].options.identfy: unknown key; did you mean identify?',
    "invalid-many.yaml:17 network.interval: must not contain spaces (got '10 s')",
    "invalid-many.yaml:19 network.targets[0].name: may only contain a-z, 0-9, '_', '.' and '-'; 'Acquirer' contains 'A' (use lower case letters)",
    "invalid-many.yaml:19 network.targets[0].host: host must be a host name or IP address; '-c1' starts with '-'",
    "invalid-many.yaml:19 network.targets[0].tls: must be true or false (got 'yes')",
  ],
};

function problemsOf(file: string): string[] {
  const result = parseConfigText(readFileSync(path.join(fixtures, file), 'utf8'), file);
  return result.ok ? [] : result.errors.map(formatConfigError);
}

describe('invalid config fixtures', () => {
  it.each(Object.entries(cases))('%s', (file, expected) => {
    expect(problemsOf(file)).toEqual(expected);
  });

  it('has a row for every invalid-*.yaml fixture', () => {
    const files = readdirSync(fixtures).filter((name) => name.startsWith('invalid-'));
    expect(files.sort()).toEqual(Object.keys(cases).sort());
  });
});
