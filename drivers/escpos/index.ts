/**
 * The ESC/POS receipt printer protocol: driver, simulator and options, as one entry for the
 * protocol list in drivers/index.ts.
 */
import type { DriverDefinition } from '../index.js';
import { createEscposDriver } from './driver.js';
import { escposOptionsSchema, type EscposOptions } from './options.js';
import { createEscposPassthroughWatch } from './passthrough.js';
import { createEscposSimulator, escposFaultNames, type EscposFaults } from './simulator.js';

export { createEscposDriver } from './driver.js';
export { escposOptionsSchema, type EscposOptions } from './options.js';
export { createEscposSimulator, escposFaultNames, type EscposFaults } from './simulator.js';

export const escpos: DriverDefinition<EscposOptions, EscposFaults> = {
  name: 'escpos',
  summary: 'ESC/POS receipt printer (serial, USB, network): DLE EOT status, Automatic Status Back, GS I identity',
  optionsSchema: escposOptionsSchema,
  createDriver: createEscposDriver,
  createSimulator: (ctx) => createEscposSimulator(ctx),
  faultNames: escposFaultNames,
  createPassthroughWatch: createEscposPassthroughWatch,
};
