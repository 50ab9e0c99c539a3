// A registered device talking to a running twin the way firmware would: mqtts with its own
// client certificate (from the state folder), client id = thing name, MQTT 3.1.1, QoS 1.
import mqtt, { type MqttClient } from 'mqtt';
import { credentialsFromStateDir } from '../../firmware/simulator/device-credentials.ts';

/** Connects `deviceId` to the twin's mqtts port; no automatic reconnect, so a dropped connection stays visible. */
export async function connectTwinDevice(stateDir: string, deviceId: string, port: number): Promise<MqttClient> {
  const { ca, cert, key } = await credentialsFromStateDir(stateDir)(deviceId);
  return mqtt.connectAsync({
    protocol: 'mqtts', host: '127.0.0.1', port, clientId: deviceId, ca, cert, key,
    protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 10_000,
  });
}

/** Publishes with QoS 1; resolves once the broker's PUBACK arrived (so the twin has it on disk). */
export async function publishAcked(client: MqttClient, topic: string, payload: string | Buffer): Promise<void> {
  await client.publishAsync(topic, payload, { qos: 1 });
}
