/**
 * The shipped PosdiagHeartbeatMissing rule, evaluated by the real promtool on series shaped like
 * the Pushgateway's (test/fixtures/prometheus/heartbeat-rules.test.yml): it fires for a silent
 * agent only, not for one that keeps pushing nor for one stopped on purpose.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireTool } from '../../helpers/tools.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('PosdiagHeartbeatMissing', () => {
  it('passes promtool test rules', () => {
    const promtool = requireTool('promtool', 'prometheus');
    const result = spawnSync(promtool, ['test', 'rules', path.join(root, 'test/fixtures/prometheus/heartbeat-rules.test.yml')], { encoding: 'utf8' });
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('SUCCESS');
  });
});
