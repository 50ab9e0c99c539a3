// The twin's IoT Core: aedes behind mutual TLS, with the IoT policy as aedes hooks
// (authenticate.ts, authorize-publish.ts, authorize-subscribe.ts). MQTT 3.1.1 (aedes 1.x
// does not speak MQTT 5). Accepted publishes go to `sink`; PUBACK follows its promise.
import { Aedes } from 'aedes';
import net from 'node:net';
import tls from 'node:tls';
import { pino, type Logger } from 'pino';
import { loadOrCreateCa, loadOrCreateServerCredentials } from '../devices/pki.ts';
import { registryReader } from '../devices/registry.ts';
import { statePaths } from '../state.ts';
import { createAuthenticate, type Sessions } from './authenticate.ts';
import { createAuthorizePublish } from './authorize-publish.ts';
import { createAuthorizeSubscribe } from './authorize-subscribe.ts';
import type { PublishSink } from './types.ts';

export interface BrokerOptions {
  /** The `.wattlake/` folder: CA, registry; the server certificate is created there on first start. */
  stateDir: string;
  /** mqtts port; 0 picks a free one. */
  port?: number;
  host?: string;
  sink: PublishSink;
  /** Opens a plain-TCP listener on this port (0 = any free one). Development only. */
  insecureDevPort?: number;
  logger?: Logger;
}

export interface RunningBroker {
  port: number;
  insecurePort?: number;
  connectedClients(): number;
  close(): Promise<void>;
}

export async function startBroker({ stateDir, port = 8883, host = '127.0.0.1', sink, insecureDevPort, logger = pino({ level: 'silent' }) }: BrokerOptions): Promise<RunningBroker> {
  const paths = statePaths(stateDir);
  const ca = await loadOrCreateCa(paths);
  const server = await loadOrCreateServerCredentials(paths, ca);
  const sessions: Sessions = new WeakMap();
  const insecureSockets = new WeakSet<object>();

  const broker = await Aedes.createBroker({
    authenticate: createAuthenticate({ lookup: registryReader(paths.registry), sessions, insecureSockets, logger }),
    authorizePublish: createAuthorizePublish({ sessions, sink, logger }),
    authorizeSubscribe: createAuthorizeSubscribe({ sessions, logger }),
  });
  broker.on('clientError', (client, error) => logger.debug({ clientId: client.id, err: error }, 'client dropped'));

  const mqtts = tls.createServer(
    { key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' },
    (socket) => broker.handle(socket),
  );
  // No certificate, or one from another CA: refused in the handshake, before any MQTT. Node checks
  // the chain after the handshake and only hangs up, so the verification error is on the socket.
  mqtts.on('tlsClientError', (error, socket) =>
    logger.warn({ remote: socket.remoteAddress, reason: socket.authorizationError ? String(socket.authorizationError) : error.message }, 'TLS connection refused'),
  );

  const servers: net.Server[] = [mqtts];
  const sockets = new Set<net.Socket>();
  const close = async (): Promise<void> => {
    const closed = servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve())));
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    // Half-open handshakes and idle sockets would keep server.close() waiting forever.
    for (const socket of sockets) socket.destroy();
    await Promise.all(closed);
  };

  try {
    const actualPort = await listen(mqtts, port, host, sockets);
    logger.info({ host, port: actualPort }, 'mqtts listening (client certificate required)');
    let insecurePort: number | undefined;
    if (insecureDevPort !== undefined) {
      const plain = net.createServer((socket) => {
        insecureSockets.add(socket);
        broker.handle(socket);
      });
      servers.push(plain);
      insecurePort = await listen(plain, insecureDevPort, host, sockets);
      logger.warn(
        { host, port: insecurePort },
        'INSECURE plain-TCP MQTT listener (--insecure-dev): no TLS, no client certificates, devices identified by client id alone. Development only; never expose it.',
      );
    }
    return {
      port: actualPort,
      ...(insecurePort !== undefined && { insecurePort }),
      connectedClients: () => broker.connectedClients,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function listen(server: net.Server, port: number, host: string, sockets: Set<net.Socket>): Promise<number> {
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}
