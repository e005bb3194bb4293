/**
 * ZVT: the German ECR ↔ payment-terminal protocol (serial, or TCP port 20007). The driver polls
 * with Status-Enquiry only and reports reachability, card reader, locks, initialisation,
 * out-of-order and end-of-day state, with model, serial number and firmware.
 */
import type { DriverDefinition } from '../index.js';
import { createZvtDriver } from './driver.js';
import { createZvtPassthroughWatch } from './passthrough.js';
import { zvtOptionsSchema, type ZvtOptions } from './options.js';
import { createZvtSimulator } from './simulator.js';
import { type ZvtFaults, zvtFaultNames } from './simulator-faults.js';

export const zvt: DriverDefinition<ZvtOptions, ZvtFaults> = {
  name: 'zvt',
  summary: 'ZVT payment terminal (serial or TCP): status, locks, card reader, end-of-day, identity',
  optionsSchema: zvtOptionsSchema,
  // ZVT frames by transport: DLE/CRC blocks with ACK/NAK on a serial line, bare APDUs on TCP.
  createDriver: (ctx) => createZvtDriver({ ...ctx, framing: ctx.transport }),
  createSimulator: (ctx) => createZvtSimulator({ ...ctx, framing: ctx.transport }),
  faultNames: zvtFaultNames,
  createPassthroughWatch: (ctx) => createZvtPassthroughWatch(ctx),
};

export { createZvtDriver, ZvtCommandError, ZvtNotAllowedError } from './driver.js';
export type { ZvtAdminCommand, ZvtAdminResult, ZvtDriver, ZvtDriverContext } from './driver.js';
export { createZvtSimulator } from './simulator.js';
export type { ZvtSimulatorContext } from './simulator.js';
export { defaultZvtFaults, zvtFaultNames } from './simulator-faults.js';
export type { ZvtFaults } from './simulator-faults.js';
export { parseDuration, zvtOptionsSchema } from './options.js';
export type { ZvtOptions } from './options.js';
export type { ZvtDetails, ZvtLockName, ZvtReading } from './status.js';
export type { TransportFraming } from './framing.js';
export { ZvtLinkError } from './link-layer.js';
