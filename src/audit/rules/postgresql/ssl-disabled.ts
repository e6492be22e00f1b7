import { defineRule } from '../rule.js';
import { isOn, lastEntry } from './helpers.js';

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
    'Settings passed on the server command line or through `ALTER SYSTEM` are not considered.',
  ],
  references: [
    'https://www.postgresql.org/docs/current/ssl-tcp.html',
    'https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-SSL',
  ],
  check(model, report) {
    for (const conf of model.postgresConfs) {
      const ssl = lastEntry(conf, 'ssl');
      if (isOn(ssl?.value)) continue;
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
