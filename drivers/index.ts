/**
 * The one list of device protocols. The config's `driver` enum, the `posdiag simulate` choices
 * and the "unknown driver" message are all derived from it: a new protocol is one folder under
 * drivers/ and one entry here.
 */
import type { z } from 'zod';
import type { Driver, DriverContext, PassthroughWatch, PassthroughWatchContext, Simulator, SimulatorContext } from './model.js';
import { escpos } from './escpos/index.js';
import { escposOptionsSchema } from './escpos/options.js';
import { zvt } from './zvt/index.js';
import { zvtOptionsSchema } from './zvt/options.js';

export interface DriverDefinition<Options = unknown, Faults extends object = object> {
  name: string;
  /** One line for `posdiag --help` and the README table. */
  summary: string;
  /** Validates the device's `options:` section; carries defaults and descriptions. */
  optionsSchema: z.ZodType<Options>;
  createDriver(ctx: DriverContext<Options>): Driver;
  createSimulator(ctx: SimulatorContext): Simulator<Faults>;
  /** The simulator's switchable faults, for help texts and the control API. */
  faultNames: readonly string[];
  /** Follows a till's traffic on a shared line (mode: passthrough). */
  createPassthroughWatch(ctx: PassthroughWatchContext<Options>): PassthroughWatch;
}

/** Option schemas alone, for the config module (kept apart so it need not load drivers). */
export const driverOptionSchemas = {
  escpos: escposOptionsSchema,
  zvt: zvtOptionsSchema,
} as const;

export type DriverName = keyof typeof driverOptionSchemas;

/**
 * Protocols whose bytes differ between a serial line and TCP (ZVT: DLE/CRC blocks with ACK on
 * serial, bare APDUs on TCP). Passthrough forwards bytes unchanged, so for these the till's
 * virtual port must be of the device's kind: a pty for a serial device, TCP for a TCP one.
 */
export const framedByTransport: readonly DriverName[] = ['zvt'];
export const driverNames = Object.keys(driverOptionSchemas) as DriverName[];

const definitions: Record<DriverName, DriverDefinition> = {
  escpos: escpos as unknown as DriverDefinition,
  zvt: zvt as unknown as DriverDefinition,
};

export function driverDefinition(name: DriverName): DriverDefinition {
  return definitions[name];
}
