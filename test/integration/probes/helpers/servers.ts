/**
 * Servers on 127.0.0.1 that the probe tests start and stop: TCP open / closed / black-holed, TLS,
 * HTTP(S) and a tiny DNS responder. Every one listens on port 0 and is closed by its `close()`.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Worker } from 'node:worker_threads';

export interface Running {
  port: number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<number> {
  server.listen({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function closer(server: Server & { closeAllConnections?: () => void }): () => Promise<void> {
  return async () => {
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

/** Accepts and holds connections. */
export async function tcpOpen(): Promise<Running> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined).once('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  return {
    port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await closer(server)();
    },
  };
}

/** A port that was just free: listened on, then closed. Connects get RST (ECONNREFUSED). */
export async function tcpClosedPort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A listener that never accepts. It lives in a worker thread that blocks in Atomics.wait right
 * after listen(), so libuv never calls accept(); with backlog 1 the kernel queues two completed
 * handshakes (sk_ack_backlog > sk_max_ack_backlog means full), which `blackHole` fills itself,
 * and from then on drops every SYN: a connect hangs exactly like a firewall that drops packets.
 */
export async function tcpBlackHole(): Promise<Running> {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const server = require('node:net').createServer();
     server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       Atomics.wait(workerData.gate, 0, 0);
     });`,
    { eval: true, workerData: { gate } },
  );
  const [port] = (await once(worker, 'message')) as [number];
  const fillers: Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const s = new Socket().on('error', () => undefined);
    fillers.push(s);
    s.connect({ host: '127.0.0.1', port });
    await once(s, 'connect');
  }
  return {
    port,
    close: async () => {
      for (const s of fillers) s.destroy();
      Atomics.store(gate, 0, 1);
      Atomics.notify(gate, 0);
      await worker.terminate();
    },
  };
}

export interface TlsFiles {
  key: string;
  cert: string;
}

/** Completes handshakes with the given key and certificate, then closes. */
export async function tlsServer(files: TlsFiles): Promise<Running> {
  const server = createTlsServer({ key: files.key, cert: files.cert }, (s) => s.end());
  server.on('tlsClientError', () => undefined);
  const port = await listen(server);
  return { port, close: closer(server) };
}

/** HTTP, or HTTPS when `tls` is given. */
export async function httpServer(handler: RequestListener, tls?: TlsFiles): Promise<Running> {
  const server = tls === undefined ? createHttpServer(handler) : createHttpsServer({ key: tls.key, cert: tls.cert }, handler);
  const port = await listen(server);
  return { port, close: closer(server) };
}

/**
 * A DNS responder for the probe tests: NXDOMAIN for *.invalid (RFC 6761), silence for names
 * under silent.test (a server that does not answer), otherwise A 127.0.0.1 (and no AAAA).
 */
export async function fakeDns(): Promise<Running & { server: string; queries: string[] }> {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (msg, rinfo) => {
    const labels: string[] = [];
    let i = 12;
    while (i < msg.length && msg[i] !== 0) {
      const len = msg[i]!;
      labels.push(msg.subarray(i + 1, i + 1 + len).toString('ascii'));
      i += len + 1;
    }
    const questionEnd = i + 5; // zero byte + QTYPE + QCLASS
    const name = labels.join('.').toLowerCase();
    const qtype = msg.readUInt16BE(i + 1);
    queries.push(name);
    if (name.endsWith('silent.test')) return;
    const nx = name.endsWith('.invalid') || name === 'invalid';
    const answer = !nx && qtype === 1;
    const header = Buffer.alloc(12);
    header.writeUInt16BE(msg.readUInt16BE(0), 0);
    header.writeUInt16BE(0x8180 | (nx ? 3 : 0), 2); // QR, RD, RA, RCODE
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answer ? 1 : 0, 6);
    const question = msg.subarray(12, questionEnd);
    const record = answer ? Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1]) : Buffer.alloc(0);
    socket.send(Buffer.concat([header, question, record]), rinfo.port, rinfo.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const port = socket.address().port;
  return {
    port,
    server: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
