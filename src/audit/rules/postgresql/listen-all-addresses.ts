import { defineRule } from '../rule.js';
import { lastEntry } from './helpers.js';

const ALL_INTERFACES = new Set(['*', '0.0.0.0', '::']);

export const listenAllAddressesRule = defineRule({
  id: 'PG008',
  name: 'listen-all-addresses',
  title: 'PostgreSQL listens on every interface',
  severity: 'info',
  layer: 'data',
  target: 'postgresql',
  control: 'data.access-control',
  status: 'stable',
  rationale:
    "In a container, `listen_addresses = '*'` is usually needed so that other services can connect, and the Docker network then decides who can reach the port. " +
    'It is reported for information: access then rests on the network being internal and on pg_hba.conf, so both should be strict.',
  fix: 'Keep the database on an `internal: true` network without published ports, or list only the interfaces clients use.',
  references: [
    'https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-LISTEN-ADDRESSES',
  ],
  check(model, report) {
    for (const conf of model.postgresConfs) {
      const entry = lastEntry(conf, 'listen_addresses');
      const addresses = entry?.value.split(',').map((address) => address.trim()) ?? [];
      if (!entry || !addresses.some((address) => ALL_INTERFACES.has(address))) continue;
      report({
        message: `\`listen_addresses = '${entry.value}'\` accepts connections on every interface`,
        location: entry.location,
        key: 'listen_addresses',
      });
    }
  },
});
