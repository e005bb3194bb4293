/**
 * The HTTPS side of remote access, read once at start: the certificate and key named by
 * `http.tls`, and two warnings a provider should see in the log. The config loader checked the
 * files already; reading them again here catches a file removed in between, with the same words.
 */
import { statSync } from 'node:fs';
import { formatListenAddress, type HttpConfig, isLoopbackHost, readTlsFiles, type TlsFiles } from '../config/index.js';
import type { Logger } from '../log.js';

export function serverTls(http: HttpConfig, log: Logger): TlsFiles | null {
  const reachable = !isLoopbackHost(http.listen.host);
  if (http.tls === null) {
    if (reachable) {
      log.warn(
        { listen: formatListenAddress(http.listen) },
        'serving plain HTTP beyond this machine: the token crosses the network readable; set http.tls or reach the agent through a VPN',
      );
    }
    return null;
  }
  const result = readTlsFiles(http.tls);
  if (!result.ok) throw new Error(`http.tls.${result.key}: ${result.message}`);
  if (process.platform !== 'win32' && (statSync(http.tls.key).mode & 0o077) !== 0) {
    log.warn({ key: http.tls.key }, 'the TLS key file can be read by other users of this PC; chmod 600 it');
  }
  return result.files;
}
