// One benchmark device: a TLS socket with the device's certificate, MQTT 3.1.1 packets from
// mqtt-packet, QoS 1 publishes answered by their PUBACK. What a metering box does, and nothing
// else: no outgoing store, no reconnects, no keep-alive timers. The load generator shares the
// machine with the system under test, so every microsecond it spends per message is taken from
// what it measures: against aedes alone, mqtt.js's general-purpose client took 8.2 us of CPU per
// batched reading, this one 5.7 (docs/benchmarks.md). Correctness against real clients is the
// tests' job (mqtt.js and mosquitto_pub), not this one's.
import tls from 'node:tls';
import mqttPacket, { type Packet } from 'mqtt-packet';

export interface BenchDeviceOptions {
  host: string;
  port: number;
  clientId: string;
  ca: string | Buffer;
  cert: string | Buffer;
  key: string | Buffer;
  /** Gives up on the TLS handshake and CONNACK after this long. */
  connectTimeoutMs?: number;
}

type AckCallback = (error?: Error) => void;

const MAX_MESSAGE_ID = 0xffff;

export class BenchDevice {
  private readonly pending = new Map<number, AckCallback>();
  private lastMessageId = 0;
  private closedWith: Error | undefined;

  private constructor(private readonly socket: tls.TLSSocket, private readonly clientId: string) {
    socket.on('close', () => this.failPending(new Error(`${clientId}: connection closed`)));
  }

  /** Connects over mutual TLS and resolves once the broker accepted the CONNECT (CONNACK 0). */
  static connect({ host, port, clientId, ca, cert, key, connectTimeoutMs = 30_000 }: BenchDeviceOptions): Promise<BenchDevice> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host, port, ca, cert, key, minVersion: 'TLSv1.2' });
      const device = new BenchDevice(socket, clientId);
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      const timer = setTimeout(() => fail(new Error(`${clientId}: no CONNACK within ${connectTimeoutMs} ms`)), connectTimeoutMs);
      let connected = false;
      const fail = (error: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      socket.on('error', (error) => {
        if (connected) device.closedWith = error;
        else fail(new Error(`${clientId}: ${error.message}`));
      });
      socket.on('close', () => {
        if (!connected) fail(new Error(`${clientId}: connection closed before CONNACK`));
      });
      socket.on('data', (chunk: Buffer) => parser.parse(chunk));
      parser.on('error', (error) => {
        device.closedWith = error;
        socket.destroy();
      });
      parser.on('packet', (packet: Packet) => {
        if (packet.cmd === 'connack' && !connected) {
          if (packet.returnCode !== 0) return fail(new Error(`${clientId}: CONNACK return code ${packet.returnCode}`));
          connected = true;
          clearTimeout(timer);
          resolve(device);
        } else if (packet.cmd === 'puback' && packet.messageId !== undefined) {
          device.acknowledge(packet.messageId);
        }
      });
      socket.once('secureConnect', () => {
        socket.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId, clean: true, keepalive: 0 }));
      });
    });
  }

  /** Messages published and not yet acknowledged. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Publishes at QoS 1; `onAck` runs on the PUBACK, or with an error when the connection goes first. */
  publish(topic: string, payload: Buffer, onAck: AckCallback): void {
    if (this.socket.destroyed) return onAck(new Error(`${this.clientId}: not connected`));
    const messageId = this.nextMessageId();
    this.pending.set(messageId, onAck);
    this.socket.write(mqttPacket.generate({ cmd: 'publish', topic, payload, qos: 1, messageId, retain: false, dup: false }));
  }

  /** Sends DISCONNECT and closes; unacknowledged publishes fail. */
  close(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end(mqttPacket.generate({ cmd: 'disconnect' }));
    });
  }

  private acknowledge(messageId: number): void {
    const onAck = this.pending.get(messageId);
    if (!onAck) return;
    this.pending.delete(messageId);
    onAck();
  }

  private nextMessageId(): number {
    // Ids 1..65535, skipping any still unacknowledged (MQTT forbids reusing them).
    for (let tries = 0; tries < MAX_MESSAGE_ID; tries++) {
      this.lastMessageId = (this.lastMessageId % MAX_MESSAGE_ID) + 1;
      if (!this.pending.has(this.lastMessageId)) return this.lastMessageId;
    }
    throw new Error(`${this.clientId}: ${MAX_MESSAGE_ID} publishes unacknowledged`);
  }

  private failPending(error: Error): void {
    const reason = this.closedWith ? new Error(`${error.message}: ${this.closedWith.message}`) : error;
    const callbacks = [...this.pending.values()];
    this.pending.clear();
    for (const onAck of callbacks) onAck(reason);
  }
}
