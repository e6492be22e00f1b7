import { defineRule } from '../rule.js';
import { describeSetup, lastValue, redisSetups, setupKey } from './helpers.js';

export const tlsDisabledRule = defineRule({
  id: 'RD003',
  name: 'redis-tls-disabled',
  title: 'Redis accepts unencrypted connections',
  severity: 'high',
  layer: 'data',
  target: 'redis',
  control: 'data.encryption-in-transit',
  status: 'stable',
  rationale:
    'Without `tls-port`, Redis speaks plain TCP, so the `AUTH` password, session data and cached values cross the container network readable by anyone who can capture it. ' +
    'Setting `tls-port` while `port` stays open still lets every client, and every attacker, use the plain port instead; the baseline asks for `rediss://` connections only.',
  fix: 'Set `tls-port 6379`, `port 0`, `tls-cert-file`, `tls-key-file` and `tls-ca-cert-file` (in redis.conf or as `--tls-port` options), and connect with `rediss://`.',
  limitations: [
    'A setup with `include` and no TLS settings of its own is skipped, because the included file may enable TLS.',
    'Services whose configuration file is not in the repository are skipped.',
  ],
  references: ['https://redis.io/topics/encryption'],
  check(model, report) {
    for (const setup of redisSetups(model)) {
      const tlsPort = lastValue(setup, 'tls-port');
      const port = lastValue(setup, 'port');
      if (!tlsPort || tlsPort.value === '0') {
        if (setup.partial) continue;
        report({
          message: `Redis in ${describeSetup(setup)} sets no \`tls-port\`, so every connection is unencrypted`,
          location: tlsPort?.location ?? port?.location ?? setup.anchor,
          key: setupKey(setup, 'tls'),
        });
        continue;
      }
      if (port?.value === '0') continue;
      const plain = port?.value ?? '6379';
      report({
        message: `Redis in ${describeSetup(setup)} serves TLS on port ${tlsPort.value} but still accepts plain TCP on port ${plain}; set \`port 0\``,
        location: port?.location ?? tlsPort.location,
        key: setupKey(setup, 'plain-port'),
      });
    }
  },
});
