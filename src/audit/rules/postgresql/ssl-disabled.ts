import type { DeploymentModel, KeyValueConf } from '../../model/types.js';
import { defineRule } from '../rule.js';
import {
  commandWords,
  isOn,
  lastEntry,
  loadedConfs,
  postgresCommandSettings,
  servicesOf,
} from './helpers.js';

/** True when every service that loads `conf` turns TLS on with `-c ssl=on`, which overrides it. */
function enabledOnCommandLine(conf: KeyValueConf, model: DeploymentModel): boolean {
  const loaders = servicesOf(model).filter((service) =>
    loadedConfs(service, [conf]).some((mounted) => mounted.conf === conf),
  );
  return (
    loaders.length > 0 &&
    loaders.every((service) => isOn(postgresCommandSettings(commandWords(service)).get('ssl')))
  );
}

export const sslDisabledRule = defineRule({
  id: 'PG005',
  name: 'ssl-disabled',
  title: 'postgresql.conf does not enable TLS',
  severity: 'high',
  layer: 'data',
  target: 'postgresql',
  control: 'data.encryption-in-transit',
  status: 'stable',
  rationale:
    'PostgreSQL starts with `ssl = off`, so unless the configuration turns it on every client connection, login included, is plain TCP. ' +
    'The baseline requires encryption in transit between the application and the database, and `sslmode=require` on the client side fails without it.',
  fix: 'Set `ssl = on` with `ssl_cert_file` and `ssl_key_file` pointing at the server certificate and key.',
  limitations: [
    'A `-c ssl=on` on the command line of the compose services that load the file is taken into account; settings made through `ALTER SYSTEM` are not.',
    'Included files are not followed, so a file that sets no `ssl` but has `include`, `include_if_exists` or `include_dir` lines is skipped.',
  ],
  references: [
    'https://www.postgresql.org/docs/current/ssl-tcp.html',
    'https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-SSL',
  ],
  check(model, report) {
    for (const conf of model.postgresConfs) {
      const ssl = lastEntry(conf, 'ssl');
      if (isOn(ssl?.value) || enabledOnCommandLine(conf, model)) continue;
      if (!ssl && conf.entries.some((entry) => entry.key.startsWith('include'))) continue;
      report({
        message: ssl
          ? `\`ssl = ${ssl.value}\` leaves client connections unencrypted`
          : 'postgresql.conf does not set `ssl = on`, so client connections are unencrypted',
        location: ssl?.location ?? conf.file.fileStart(),
        key: 'ssl',
      });
    }
  },
});
