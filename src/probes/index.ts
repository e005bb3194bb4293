/** The probe library's public surface: what the agent (scheduler, API, metrics) imports. */
export type * from './types.js';
export { NETWORK_LAYERS } from './types.js';
export { DEFAULT_PROBE_OPTIONS, resolveProbeOptions } from './options.js';
export { validateProbeHost, assertProbeHost, InvalidProbeHostError } from './validate-host.js';
export { createProbeDeps, readSystemCa } from './deps.js';
export { probeTarget, probeNetworkPath } from './network.js';
export { probeLink, readInterfaces, judgeLink, type InterfaceInfo } from './link.js';
export { probeGateway } from './gateway.js';
export { readDefaultRoute, type DefaultRoute } from './route.js';
export { probeDns, createSystemResolver, createServerResolver, type HostResolver } from './dns.js';
export { probeIcmp } from './icmp.js';
export { createPinger, pingCommand, type PingOutcome, type PingRequest } from './ping.js';
export { parsePingReplies } from './ping-parse.js';
export { probeTcp, tcpConnect } from './tcp.js';
export { probeTls } from './tls.js';
export { probeHttp } from './http.js';
export { RttWindow, RttWindows, summarizeRtts, type RttSample, type RttStats } from './rtt-window.js';
export { targetVerdict, overallVerdict, type VerdictOptions, type PathEvidence } from './verdict.js';
export {
  probeHost,
  createHostDeps,
  DEFAULT_HOST_OPTIONS,
  type HostOptions,
  type HostDeps,
  type HostHistory,
  type HostResult,
} from './host.js';
export {
  schedulePeriodic,
  scheduleCalendar,
  cronLogger,
  type LoggerLike,
  type JobOutcome,
  type JobHandle,
  type CalendarHandle,
  type PeriodicJob,
  type CalendarJob,
} from './scheduler.js';
