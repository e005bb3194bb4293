/**
 * The macOS plist and the WinSW XML: well-formed XML (xmllint, the libxml2 parser), the command
 * line the agent needs, and paths with characters that XML or Windows quoting would mangle.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeXml, launchdLabel, renderLaunchdPlist } from '../../../src/service/launchd.js';
import { defaultLocations } from '../../../src/service/settings.js';
import { quoteWindowsArgument, renderWinswXml } from '../../../src/service/winsw.js';
import { requireCommand } from '../../helpers/commands.js';
import { linuxSettings } from './settings-fixture.js';

const run = promisify(execFile);

describe('launchd plist and WinSW XML', () => {
  let dir: string;
  let xmllint: string;
  beforeAll(async () => {
    xmllint = requireCommand('xmllint', 'libxml2-utils');
    dir = await mkdtemp(path.join(os.tmpdir(), 'posdiag-xml-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** xmllint's canonical form of the document (it fails on anything not well-formed). */
  async function parseXml(text: string, name: string): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, text);
    // --nonet: the plist names Apple's DTD by URL; well-formedness needs no download.
    const { stdout } = await run(xmllint, ['--nonet', '--noblanks', file]);
    return stdout;
  }

  const awkward = 'Shop & "Café" <1>';
  const macos = () => linuxSettings({ ...defaultLocations('darwin'), configPath: `/Users/${awkward}/posdiag.yaml` });

  it('the plist is well-formed, keeps the agent alive and runs it as the daemon user', async () => {
    const plist = renderLaunchdPlist(macos());
    const parsed = await parseXml(plist, 'com.posdiag.agent.plist');
    expect(parsed).toContain('<key>Label</key><string>com.posdiag.agent</string>');
    expect(parsed).toContain('<key>KeepAlive</key><true/>');
    expect(parsed).toContain('<key>RunAtLoad</key><true/>');
    expect(parsed).toContain('<key>UserName</key><string>daemon</string>');
    expect(parsed).toContain(
      `<array><string>${process.execPath}</string><string>--max-semi-space-size=1</string><string>/usr/lib/node_modules/posdiag/bin/posdiag.js</string><string>run</string><string>--config</string><string>/Users/Shop &amp; "Café" &lt;1&gt;/posdiag.yaml</string></array>`,
    );
    expect(launchdLabel({ name: 'posdiag' })).toBe('com.posdiag.agent');
  });

  it('the WinSW XML is well-formed, restarts on failure, rolls its log and quotes the arguments', async () => {
    const settings = linuxSettings({ ...defaultLocations('win32'), nodePath: 'C:\\Program Files\\nodejs\\node.exe', entryScript: 'C:\\posdiag\\bin\\posdiag.js', configPath: 'C:\\Shop Data\\posdiag.yaml' });
    const parsed = await parseXml(renderWinswXml(settings), 'posdiag.xml');
    expect(parsed).toContain('<executable>C:\\Program Files\\nodejs\\node.exe</executable>');
    expect(parsed).toContain('<arguments>--max-semi-space-size=1 C:\\posdiag\\bin\\posdiag.js run --config "C:\\Shop Data\\posdiag.yaml"</arguments>');
    expect(parsed).toContain('<onfailure action="restart" delay="5 sec"/>');
    expect(parsed).toContain('<log mode="roll-by-size"><sizeThreshold>10240</sizeThreshold><keepFiles>8</keepFiles></log>');
    expect(parsed).toContain('<username>NT AUTHORITY\\LocalService</username>');
  });

  it.each([
    ['plain', 'plain'],
    ['two words', '"two words"'],
    ['C:\\dir with space\\', '"C:\\dir with space\\\\"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['', '""'],
  ])('quotes the Windows argument %j as %s (CommandLineToArgvW rules)', (argument, quoted) => {
    expect(quoteWindowsArgument(argument)).toBe(quoted);
  });

  it('escapes the XML specials and refuses control characters', () => {
    expect(escapeXml(`a&b<c>"d"'e'`)).toBe('a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;');
    expect(() => escapeXml('bell\x07')).toThrow(/control character/);
  });
});
