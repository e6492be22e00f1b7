import { defineRule } from '../rule.js';
import { isOpen, usersOf } from './acl.js';
import { describeSetup, lastValue, redisSetups, setupKey } from './helpers.js';

export const protectedModeOffRule = defineRule({
  id: 'RD002',
  name: 'redis-protected-mode-off',
  title: 'Redis protected mode is off while the default user has no password',
  severity: 'medium',
  layer: 'data',
  target: 'redis',
  control: 'data.redis-authentication',
  status: 'stable',
  rationale:
    'Protected mode is the fallback that keeps a Redis without a password reachable only over loopback and Unix sockets. ' +
    'Turning it off while the `default` user still has no password opens the server to every host that can route to its port, which is how exposed Redis servers get taken over.',
  fix: 'Give the `default` user a password or disable it (see RD001); keep `protected-mode yes` as a second line of defence.',
  limitations: [
    'Only an explicit `protected-mode no` is reported. The official image adds `--protected-mode no` by itself when its configuration does not set the directive; that case is covered by RD001.',
    'Protected mode has no effect once the default user has a password, so it is then not reported.',
  ],
  references: [
    'https://redis.io/docs/latest/develop/reference/errors/common/denied/',
    'https://github.com/redis/redis/commit/edd4d555df57dc84265fdfb4ef59a4678832f6da',
  ],
  check(model, report) {
    for (const setup of redisSetups(model)) {
      const entry = lastValue(setup, 'protected-mode');
      if (entry?.value.toLowerCase() !== 'no') continue;
      const user = usersOf(setup)?.find((candidate) => candidate.name === 'default');
      if (!user || !isOpen(user)) continue;
      report({
        message: `Redis in ${describeSetup(setup)} turns protected mode off while the \`default\` user needs no password, so remote clients get in`,
        location: entry.location,
        key: setupKey(setup, 'protected-mode'),
      });
    }
  },
});
