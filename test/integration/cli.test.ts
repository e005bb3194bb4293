import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPosdiag } from '../helpers/process.js';

// The CLI as a user runs it: the compiled bin, real processes, real exit codes.
describe('posdiag CLI', () => {
  let dir: string;
  const noEnvConfig = { POSDIAG_CONFIG: '' };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-cli-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints its version from package.json', async () => {
    const { code, stdout } = await runPosdiag(['--version']);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('checks the embedded default: a healthy simulated printer and terminal, exit 0', async () => {
    const { code, stdout } = await runPosdiag(['check'], noEnvConfig);
    expect(stdout).toContain('embedded default config (simulated devices)');
    expect(stdout).toContain('printer-sim (escpos');
    expect(stdout).toContain('terminal-sim (zvt');
    expect(stdout).toContain('terminal: card reader ok, not locked, logged on, no tamper');
    expect(stdout).toContain('[SIMULATED]');
    expect(stdout).toContain('conditions: none');
    expect(stdout).toContain('overall: ok');
    expect(code).toBe(0);
  });

  it('prints the status document with --json and exits 1 when a fault is found', async () => {
    const config = path.join(dir, 'paper-out.yaml');
    await writeFile(
      config,
      ['devices:', '  - id: p1', '    driver: escpos', '    transport: { type: simulator, faults: { paperOut: true } }', ''].join('\n'),
    );
    const { code, stdout } = await runPosdiag(['check', '--config', config, '--json']);
    const document = JSON.parse(stdout);
    expect(document.overall).toBe('down');
    expect(document.devices[0]).toMatchObject({ id: 'p1', simulated: true, printer: { status: 'no_paper' } });
    expect(document.devices[0].conditions).toEqual(['printer.paper_out']);
    expect(code).toBe(1);
  });

  it('runs a simulated device over an in-process link where no pty is wanted (or socat is missing)', async () => {
    const config = path.join(dir, 'memory.yaml');
    await writeFile(config, ['devices:', '  - id: p1', '    driver: escpos', '    transport: { type: simulator, pty: never }', ''].join('\n'));
    const { code, stdout } = await runPosdiag(['check', '--config', config, '--json']);
    const device = JSON.parse(stdout).devices[0];
    expect(device).toMatchObject({ simulated: true, connected: true, model: 'SIM-T80 (simulated)', conditions: [] });
    expect(device.transport).toBe('memory:p1');
    expect(code).toBe(0);
  });

  it('reports a device whose port does not exist as unreachable, exit 1', async () => {
    const config = path.join(dir, 'missing-port.yaml');
    await writeFile(config, `devices:\n  - id: p1\n    driver: escpos\n    transport: { type: serial, path: ${dir}/ttyNOPE }\n`);
    const { code, stdout } = await runPosdiag(['check', '--config', config]);
    expect(stdout).toContain('connected: no');
    expect(stdout).toContain('conditions: device.unreachable');
    expect(stdout).toContain('ttyNOPE');
    expect(code).toBe(1);
  });

  it('names the file, line and key of a config error and exits 2', async () => {
    const config = path.join(dir, 'typo.yaml');
    await writeFile(config, ['devices:', '  - id: p1', '    driver: escpos', '    transport: { type: simulator }', '    pollIntervall: 1s', ''].join('\n'));
    const { code, stderr } = await runPosdiag(['check', '--config', config]);
    expect(stderr).toContain(`${config}:5 devices[0].pollIntervall`);
    expect(stderr).toContain('unknown key; did you mean pollInterval?');
    expect(code).toBe(2);
  });

  it('refuses to run on a config error with the same message, exit 2', async () => {
    const config = path.join(dir, 'open.yaml');
    await writeFile(config, 'http:\n  listen: 0.0.0.0:9137\n');
    const { code, stderr } = await runPosdiag(['run', '--config', config]);
    expect(stderr).toMatch(new RegExp(`${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2 http\\.listen: .*token`));
    expect(code).toBe(2);
  });

  it('says what is wrong with a missing config file', async () => {
    const { code, stderr } = await runPosdiag(['check', '--config', path.join(dir, 'absent.yaml')]);
    expect(stderr).toContain('absent.yaml');
    expect(code).toBe(2);
  });

  it('rejects unknown commands, flags and simulators with usage, exit 2', async () => {
    expect((await runPosdiag(['bogus'])).code).toBe(2);
    const flag = await runPosdiag(['check', '--nope']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain('--nope');
    const simulator = await runPosdiag(['simulate', 'laserjet', '--port', '/tmp/x']);
    expect(simulator.code).toBe(2);
    expect(simulator.stderr).toContain('one of: escpos');
    const both = await runPosdiag(['simulate', 'escpos']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('exactly one of --port PATH or --listen HOST:PORT');
    const badFault = await runPosdiag(['simulate', 'escpos', '--listen', '127.0.0.1:0', '--fault', 'paperOutt=on']);
    expect(badFault.code).toBe(2);
    expect(badFault.stderr).toContain('paperOutt');
  });

  it('lists serial ports as JSON', async () => {
    const { code, stdout } = await runPosdiag(['devices', '--json']);
    expect(code).toBe(0);
    expect(Array.isArray(JSON.parse(stdout))).toBe(true);
  });
});
