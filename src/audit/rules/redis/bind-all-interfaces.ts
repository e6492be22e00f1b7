import { defineRule } from '../rule.js';
import { describeSetup, lastValue, redisSetups, setupKey } from './helpers.js';

/** `bind` addresses that mean every IPv4 or IPv6 interface; a leading `-` marks them optional. */
const ALL_INTERFACES = new Set(['*', '0.0.0.0', '::', '::*']);

export const bindAllInterfacesRule = defineRule({
  id: 'RD005',
  name: 'redis-bind-all-interfaces',
  title: 'Redis listens on every interface',
  severity: 'info',
  layer: 'data',
  target: 'redis',
  control: 'data.access-control',
  status: 'stable',
  rationale:
    'In a container, binding to every interface is usually what lets the application reach Redis, and the Docker network then decides who can connect. ' +
    'It is reported for information: access then rests on an internal network without published ports and on Redis authentication, so both should be strict.',
  fix: 'Keep Redis on an `internal: true` network without published ports and with authentication, or bind only the interface clients use.',
  limitations: [
    'Only an explicit `bind` is reported; the official image listens on every interface when no configuration file is given.',
  ],
  references: [
    'https://redis.io/docs/latest/develop/reference/errors/common/denied/',
    'https://github.com/redis/redis/commit/edd4d555df57dc84265fdfb4ef59a4678832f6da',
  ],
  check(model, report) {
    for (const setup of redisSetups(model)) {
      const entry = lastValue(setup, 'bind');
      if (!entry) continue;
      const addresses = [entry.value, ...entry.rest].map((address) => address.replace(/^-/, ''));
      if (!addresses.some((address) => ALL_INTERFACES.has(address))) continue;
      report({
        message: `Redis in ${describeSetup(setup)} listens on every interface (\`bind ${[entry.value, ...entry.rest].join(' ')}\`)`,
        location: entry.location,
        key: setupKey(setup, 'bind'),
      });
    }
  },
});
