/**
 * The config module's public surface: load and validate a config file, format its errors, find
 * the embedded default. Everything else in src/config is internal.
 */
export { loadConfigFile, parseConfigText, type ConfigResult, type ParseOptions } from './load.js';
export { formatConfigError, type ConfigError } from './errors.js';
export { embeddedDefaultConfigPath } from './paths.js';
export { configJsonSchema } from './json-schema.js';
export { formatDuration } from './duration.js';
export { formatListenAddress, isLoopbackHost, parseListenAddress } from './host.js';
export { readCaFile, readTlsFiles, type TlsFiles } from './files.js';
export type {
  BaudRate,
  Config,
  DeviceCommonConfig,
  DeviceConfig,
  DeviceMode,
  DriverOptions,
  HeartbeatConfig,
  HeartbeatSinkAuth,
  HostConfig,
  HttpConfig,
  HttpTlsConfig,
  ListenAddress,
  LogConfig,
  LogFormat,
  LogLevel,
  NetworkConfig,
  NetworkTargetConfig,
  PassthroughConfig,
  ReconnectConfig,
  SerialTransportConfig,
  SimulatorTransportConfig,
  StorageConfig,
  TcpTransportConfig,
  TransportConfig,
} from './types.js';
