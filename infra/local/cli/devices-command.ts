// `wattlake devices add|list|revoke`: the local twin's thing registry and certificates.
import { Command } from 'commander';
import { assertValidId, addDevice } from '../devices/provision.ts';
import { listThings, revokeThing } from '../devices/registry.ts';
import { STATE_ENV, stateDirFromEnv, statePaths } from '../state.ts';

const STATE_HELP = `
State folder: ${STATE_ENV}=DIR (default ./.wattlake). It holds the local CA's private key,
the registry and device credentials: keep it out of the lake and out of version control.`;

export function devicesCommand(): Command {
  const devices = new Command('devices')
    .description("the local twin's thing registry: devices, their sites and X.509 certificates")
    .addHelpText('after', STATE_HELP);

  devices
    .command('add')
    .description('register a thing and write its cert.pem, key.pem (0600) and ca.pem')
    .argument('<device_id>', 'thing name = MQTT client id = certificate CN')
    .requiredOption('--site <site_id>', 'the site the device belongs to (its topics are dt/energy/<site_id>/<device_id>/…)')
    .option('--out <dir>', 'where to write the credentials (default: <state>/devices/<device_id>/)')
    .addHelpText('after', STATE_HELP)
    .action(async (deviceId: string, options: { site: string; out?: string }) => {
      const { thing, files } = await addDevice(stateDirFromEnv(), { deviceId, siteId: options.site, outDir: options.out });
      console.log(`registered ${thing.device_id} at site ${thing.site_id}`);
      console.log(`  cert.pem  ${files.cert}`);
      console.log(`  key.pem   ${files.key}`);
      console.log(`  ca.pem    ${files.ca}`);
    });

  devices
    .command('list')
    .description('list registered things')
    .addHelpText('after', STATE_HELP)
    .action(async () => {
      const stateDir = stateDirFromEnv();
      const things = await listThings(statePaths(stateDir).registry);
      if (things.length === 0) {
        console.log(`no devices registered in ${stateDir}`);
        return;
      }
      const rows = [['DEVICE', 'SITE', 'STATE', 'CREATED', 'CERTIFICATE (SHA-256)']];
      for (const t of things) rows.push([t.device_id, t.site_id, t.state, t.created_at, `${t.certificate_fingerprint.slice(0, 16)}…`]);
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd());
    });

  devices
    .command('revoke')
    .description("revoke a thing's certificate: the broker refuses it from its next connection on")
    .argument('<device_id>')
    .addHelpText('after', STATE_HELP)
    .action(async (deviceId: string) => {
      assertValidId('device_id', deviceId);
      const thing = await revokeThing(statePaths(stateDirFromEnv()).registry, deviceId);
      console.log(`revoked ${thing.device_id} (site ${thing.site_id}) at ${thing.revoked_at}`);
    });

  return devices;
}
