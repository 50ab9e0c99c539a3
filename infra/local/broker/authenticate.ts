// CONNECT policy, as IoT Core applies it: the client id must be the thing named by the client
// certificate (CN = device_id), and that thing must be registered, active, and registered with
// exactly this certificate. A refusal answers CONNACK "not authorized" and is logged with its reason.
import type { AuthenticateError, Client } from 'aedes';
import type { Logger } from 'pino';
import { TLSSocket } from 'node:tls';
import { isValidId } from '../../../pipeline/schema/ids.ts';
import { fingerprint } from '../devices/pki.ts';
import type { Thing } from '../devices/registry.ts';

/** The thing each connected client was authenticated as; the publish/subscribe hooks read it. */
export type Sessions = WeakMap<Client, Thing>;

export interface AuthenticateOptions {
  lookup: (deviceId: string) => Promise<Thing | undefined>;
  sessions: Sessions;
  /** Sockets of the `insecureDev` plain-TCP listener: no certificate, identified by client id alone. */
  insecureSockets: WeakSet<object>;
  logger: Logger;
}

type AuthenticateHook = (client: Client, username: unknown, password: unknown, done: (error: AuthenticateError | null, success: boolean | null) => void) => void;

/** MQTT 3.1.1 CONNACK return code 5. */
const NOT_AUTHORIZED = 5;

export function createAuthenticate({ lookup, sessions, insecureSockets, logger }: AuthenticateOptions): AuthenticateHook {
  return (client, _username, _password, done) => {
    identify(client, lookup, insecureSockets).then(
      (result) => {
        if (typeof result === 'string') {
          logger.warn({ clientId: client.id, reason: result }, 'connection refused');
          done(Object.assign(new Error(`connection refused: ${result}`), { returnCode: NOT_AUTHORIZED }), false);
          return;
        }
        sessions.set(client, result);
        logger.info({ clientId: client.id, siteId: result.site_id }, 'thing connected');
        done(null, true);
      },
      (error: Error) => {
        logger.error({ clientId: client.id, err: error }, 'registry lookup failed');
        done(Object.assign(error, { returnCode: NOT_AUTHORIZED }), false);
      },
    );
  };
}

/** The authenticated thing, or the reason to refuse the connection. */
async function identify(client: Client, lookup: AuthenticateOptions['lookup'], insecureSockets: WeakSet<object>): Promise<Thing | string> {
  const clientId = client.id;
  if (!isValidId(clientId)) return 'client id is not a valid thing name';

  let presented: string | undefined;
  if (!insecureSockets.has(client.conn)) {
    const cert = client.conn instanceof TLSSocket ? client.conn.getPeerCertificate() : undefined;
    if (!cert?.raw) return 'no client certificate';
    if (cert.subject?.CN !== clientId) return `client id does not match the certificate's thing (CN=${String(cert.subject?.CN)})`;
    presented = fingerprint(cert.raw);
  }

  const thing = await lookup(clientId);
  if (!thing) return 'thing is not registered';
  if (thing.state !== 'active') return `thing is ${thing.state}`;
  if (presented !== undefined && presented !== thing.certificate_fingerprint) return 'certificate is not the one registered for this thing';
  return thing;
}
