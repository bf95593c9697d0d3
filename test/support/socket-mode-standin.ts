/**
 * A stand-in for Slack's Socket Mode WebSocket server, on node:http and node:crypto only (RFC 6455:
 * the opening handshake, unmasked server frames, masked client frames, ping/pong, the closing
 * handshake). Pair it with the Slack stand-in, whose `apps.connections.open` answers with `url`:
 *
 *   const socket = await startSocketModeStandIn();
 *   slack.openSocketModeAt(socket.url);
 *
 * Like Slack, it sends `{"type":"hello"}` as soon as a client connects (the client counts as
 * connected from then on), answers pings, and records every text message the client sends (its
 * acknowledgements: `{"envelope_id": …, "payload": …}`). `send` delivers an envelope to the
 * connected client.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface SocketModeStandIn {
  /** The ws:// URL apps.connections.open should answer with. */
  url: string;
  /** Text messages received from the client, parsed as JSON (or the raw text when not JSON), oldest first. */
  received: unknown[];
  /** How many clients have connected so far. */
  connections(): number;
  /** Resolves once a client is connected (it has been sent hello). */
  connected(timeoutMs?: number): Promise<void>;
  /** Sends a JSON message to the connected client. */
  send(message: unknown): void;
  /** Resolves with the first received message `predicate` accepts. */
  waitForMessage<T = unknown>(predicate: (m: unknown) => boolean, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/** One frame as a server sends it (never masked). */
function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.alloc(2) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = 0x80 | opcode;
  if (len < 126) head[1] = len;
  else if (len < 65536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

/** Reads whole frames off a socket; calls `onFrame` for each (payload unmasked). */
function frameReader(onFrame: (fin: boolean, opcode: number, payload: Buffer) => void) {
  let buf = Buffer.alloc(0);
  return (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length < 2) return;
      const fin = (buf[0]! & 0x80) !== 0;
      const opcode = buf[0]! & 0x0f;
      const masked = (buf[1]! & 0x80) !== 0;
      let len = buf[1]! & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        offset = 10;
      }
      const maskOffset = offset;
      if (masked) offset += 4;
      if (buf.length < offset + len) return;
      const payload = Buffer.from(buf.subarray(offset, offset + len));
      if (masked) for (let i = 0; i < payload.length; i++) payload[i]! ^= buf[maskOffset + (i % 4)]!;
      buf = buf.subarray(offset + len);
      onFrame(fin, opcode, payload);
    }
  };
}

export async function startSocketModeStandIn(opts: { appId?: string } = {}): Promise<SocketModeStandIn> {
  const received: unknown[] = [];
  const sockets = new Set<Duplex>();
  let current: Duplex | null = null;
  let connectionCount = 0;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };

  const server = http.createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only');
  });
  server.on('upgrade', (req, socket) => {
    const key = req.headers['sec-websocket-key'];
    if (typeof key !== 'string' || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const accept = createHash('sha1')
      .update(key + GUID)
      .digest('base64');
    socket.write(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${accept}`,
        '',
        '',
      ].join('\r\n'),
    );
    sockets.add(socket);
    current = socket;
    connectionCount += 1;
    let closing = false;
    let fragments: Buffer[] = [];
    socket.on(
      'data',
      frameReader((fin, opcode, payload) => {
        if (opcode === OP.ping) socket.write(frame(OP.pong, payload));
        else if (opcode === OP.close) {
          // The closing handshake: echo the close, then end the TCP connection.
          if (!closing) socket.write(frame(OP.close, payload.subarray(0, 2)));
          closing = true;
          socket.end();
        } else if (opcode === OP.text || opcode === OP.continuation) {
          fragments.push(payload);
          if (!fin) return;
          const text = Buffer.concat(fragments).toString('utf8');
          fragments = [];
          try {
            received.push(JSON.parse(text));
          } catch {
            received.push(text);
          }
          wake();
        }
      }),
    );
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      if (current === socket) current = null;
      wake();
    });
    socket.write(
      frame(
        OP.text,
        Buffer.from(
          JSON.stringify({
            type: 'hello',
            num_connections: 1,
            debug_info: { host: 'applink-standin', build_number: 1, approximate_connection_time: 3600 },
            connection_info: { app_id: opts.appId ?? 'A0001' },
          }),
        ),
      ),
    );
    wake();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const until = <T>(check: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(test);
        reject(
          new Error(
            `Socket Mode stand-in: ${what} within ${timeoutMs} ms; received: ${JSON.stringify(received).slice(0, 1000)}`,
          ),
        );
      }, timeoutMs);
      const test = () => {
        const v = check();
        if (v === undefined) return;
        clearTimeout(timer);
        waiters.delete(test);
        resolve(v);
      };
      waiters.add(test);
      test();
    });

  return {
    url: `ws://127.0.0.1:${port}/link/?ticket=standin-ticket&app_id=${opts.appId ?? 'A0001'}`,
    received,
    connections: () => connectionCount,
    connected: (timeoutMs = 30_000) =>
      until(() => (current ? true : undefined), timeoutMs, 'no client connected').then(() => undefined),
    send(message) {
      if (!current) throw new Error('Socket Mode stand-in: no client is connected');
      current.write(frame(OP.text, Buffer.from(JSON.stringify(message))));
    },
    waitForMessage: <T>(predicate: (m: unknown) => boolean, timeoutMs = 30_000) =>
      until(() => received.find(predicate) as T | undefined, timeoutMs, 'no such message'),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
