import net from 'node:net';
import { type Apdu, apduName, encodeApdu } from '../../drivers/zvt/apdu.js';
import { authorisation, positiveReply } from '../../drivers/zvt/commands.js';
import { createTcpFramer } from '../../drivers/zvt/tcp-framing.js';

/**
 * The till side of ZVT over TCP, as a till's payment module runs it: connects, starts a payment
 * (06 01) and acknowledges every message the terminal sends while it holds master rights. It
 * lets a test put a terminal in the middle of a payment with the real protocol.
 */
export interface ZvtTill {
  /** Names of the APDUs received so far, e.g. ['80 00', '04 FF']. */
  readonly received: string[];
  /** Resolves once an APDU with this name has arrived (past or future). */
  waitFor(name: string, timeoutMs?: number): Promise<void>;
  close(): void;
}

export async function startPayment(host: string, port: number, amountMinor: number): Promise<ZvtTill> {
  const socket = net.connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.on('error', () => undefined); // the terminal may drop us once another client connects
  const framer = createTcpFramer();
  const received: string[] = [];
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    for (const event of framer.push(chunk, Date.now())) {
      if (event.type !== 'apdu') continue;
      const a: Apdu = event.apdu;
      received.push(apduName(a));
      // Every message of the terminal (not a reply to us) waits for our 80 00 00.
      if (a.cls !== 0x80 && a.cls !== 0x84) socket.write(encodeApdu(positiveReply));
      for (const wake of waiters) wake();
    }
  });
  socket.write(encodeApdu(authorisation(amountMinor)));
  return {
    received,
    waitFor(name, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!received.includes(name)) return;
          cleanup();
          resolve();
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no ${name} from the terminal within ${timeoutMs} ms; got ${received.join(', ') || 'nothing'}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close() {
      socket.destroy();
    },
  };
}
