import { findSocat } from '../../src/transport/pty-pair.js';

/**
 * The socat binary, or a failing test that says how to install it. Never a silent skip: a
 * serial test that does not run proves nothing. (`npm test` installs it when it can.)
 */
export async function requireSocat(): Promise<string> {
  const socat = await findSocat();
  if (!socat) throw new Error('socat is not installed; run `npm test` as root, or: sudo apt-get install -y socat');
  return socat;
}
