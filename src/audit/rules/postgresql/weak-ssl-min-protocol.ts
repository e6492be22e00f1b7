import { defineRule } from '../rule.js';
import { lastEntry } from './helpers.js';

export const weakSslMinProtocolRule = defineRule({
  id: 'PG007',
  name: 'weak-ssl-min-protocol',
  title: 'PostgreSQL accepts TLS versions older than 1.2',
  severity: 'medium',
  layer: 'data',
  target: 'postgresql',
  control: 'data.encryption-in-transit',
  status: 'stable',
  rationale:
    'TLS 1.0 and 1.1 are deprecated and open to downgrade attacks, and PostgreSQL 12 and later already default `ssl_min_protocol_version` to TLSv1.2. ' +
    'Lowering it lets an attacker on the network push clients to the weaker protocols.',
  fix: "Remove the setting or set `ssl_min_protocol_version = 'TLSv1.2'` (or TLSv1.3).",
  references: [
    'https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-SSL-MIN-PROTOCOL-VERSION',
  ],
  check(model, report) {
    for (const conf of model.postgresConfs) {
      const entry = lastEntry(conf, 'ssl_min_protocol_version');
      const value = entry?.value.trim();
      // An empty value sets no minimum at all.
      if (!entry || (value !== '' && !/^TLSv1(\.1)?$/i.test(value ?? ''))) continue;
      report({
        message: `\`ssl_min_protocol_version = ${entry.value || "''"}\` accepts TLS versions older than 1.2`,
        location: entry.location,
        key: 'ssl_min_protocol_version',
      });
    }
  },
});
