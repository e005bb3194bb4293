/**
 * config/config.schema.json is generated from the zod schema and checked in, for editors and
 * for anyone validating a config without posdiag. This test keeps the file current and checks
 * that it agrees with the loader on the valid and invalid fixtures.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
// ajv comes with fastify; see the note in the config module's report about declaring it.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { driverNames } from '../../../drivers/index.js';
import { configJsonSchema } from '../../../src/config/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const schemaFile = path.join(root, 'config', 'config.schema.json');
const REGENERATE = 'UPDATE_SCHEMA=1 npx vitest run test/unit/config/json-schema.test.ts';

const generated = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;

describe('config/config.schema.json', () => {
  it('matches the zod schema', () => {
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(schemaFile, generated);
    const onDisk = readFileSync(schemaFile, 'utf8');
    expect(onDisk === generated, `config/config.schema.json is stale: regenerate it with\n  ${REGENERATE}\nand commit it.`).toBe(true);
  });

  it('says it is generated and how to regenerate it', () => {
    expect(configJsonSchema().$comment).toContain(REGENERATE);
  });

  it('offers exactly the drivers of drivers/index.ts', () => {
    type DeviceList = { items: { oneOf: { properties: { driver: { const: string } } }[] } };
    const { devices } = configJsonSchema().properties as { devices: DeviceList };
    expect(devices.items.oneOf.map((option) => option.properties.driver.const)).toEqual(driverNames);
  });

  describe('agrees with the loader', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(configJsonSchema());
    const read = (...parts: string[]) => parse(readFileSync(path.join(root, ...parts), 'utf8')) ?? {};

    it.each([
      ['config', 'default.yaml'],
      ['config', 'examples', 'serial-printer.yaml'],
      ['config', 'examples', 'network-printer.yaml'],
    ])('accepts %s/%s', (...parts) => {
      expect(validate(read(...parts)), ajv.errorsText(validate.errors)).toBe(true);
    });

    // The rules a JSON Schema can express; cross-field rules (token on a public address,
    // minDelay ≤ maxDelay, unique ids, passthrough not yet available) are the loader's alone.
    it.each([
      'invalid-unknown-key.yaml',
      'invalid-unknown-key-no-suggestion.yaml',
      'invalid-duration.yaml',
      'invalid-duration-bare-number.yaml',
      'invalid-baud-rate.yaml',
      'invalid-id-chars.yaml',
      'invalid-short-token.yaml',
      'invalid-host-leading-dash.yaml',
      'invalid-host-space.yaml',
      'invalid-port.yaml',
      'invalid-unknown-driver.yaml',
      'invalid-missing-transport-path.yaml',
      'invalid-transport-type.yaml',
      'invalid-top-level-list.yaml',
    ])('refuses %s', (file) => {
      expect(validate(read('test', 'fixtures', 'config', file))).toBe(false);
    });
  });
});
