/**
 * ZVT: the German ECR ↔ payment-terminal protocol (serial, or TCP port 20007). The driver polls
 * with Status-Enquiry only and reports reachability, card reader, locks, initialisation,
 * out-of-order and end-of-day state, with model, serial number and firmware.
 */
import { createZvtDriver, type ZvtDriverContext } from './driver.js';
import { zvtOptionsSchema } from './options.js';
import { createZvtSimulator, type ZvtSimulatorContext } from './simulator.js';
import { zvtFaultNames } from './simulator-faults.js';

export const zvt = {
  name: 'zvt',
  summary: 'ZVT payment terminal (serial or TCP): status, locks, card reader, end-of-day, identity',
  optionsSchema: zvtOptionsSchema,
  /** The context carries `framing` ('serial' | 'tcp'), which follows from the device's transport. */
  createDriver: (ctx: ZvtDriverContext) => createZvtDriver(ctx),
  createSimulator: (ctx: ZvtSimulatorContext) => createZvtSimulator(ctx),
  faultNames: zvtFaultNames,
} as const;

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
