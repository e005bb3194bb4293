import { type Config, embeddedDefaultConfigPath, formatConfigError, loadConfigFile } from '../config/index.js';

export interface ConfigSource {
  path: string;
  embedded: boolean;
}

/**
 * Which config file applies: `--config FILE`, else $POSDIAG_CONFIG, else the embedded default
 * (simulated devices, so a fresh install runs and shows something). Never a file picked up
 * silently from the working directory.
 */
export function configSource(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): ConfigSource {
  if (flag) return { path: flag, embedded: false };
  if (env.POSDIAG_CONFIG) return { path: env.POSDIAG_CONFIG, embedded: false };
  return { path: embeddedDefaultConfigPath(), embedded: true };
}

/** Loads and validates; on failure prints every problem as `file:line key: message` to stderr. */
export async function loadOrReport(source: ConfigSource, stderr: NodeJS.WritableStream): Promise<Config | null> {
  const result = await loadConfigFile(source.path);
  if (result.ok) return result.config;
  stderr.write(`posdiag: the configuration has ${result.errors.length === 1 ? 'a problem' : `${result.errors.length} problems`}:\n`);
  for (const error of result.errors) stderr.write(`  ${formatConfigError(error)}\n`);
  return null;
}
