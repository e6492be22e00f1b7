import { defineRule } from '../rule.js';
import { canLogIn, dangerousCommandsOf, isOpen, usersOf } from './acl.js';
import { describeSetup, redisSetups, setupKey } from './helpers.js';

/** Users whose name says they are for administrators, who need these commands. */
const ADMIN_NAME = /admin|root|ops|operator|superuser/i;

export const dangerousCommandsRule = defineRule({
  id: 'RD004',
  name: 'redis-dangerous-commands',
  title: 'Application user can run dangerous Redis commands',
  severity: 'medium',
  layer: 'data',
  target: 'redis',
  control: 'data.access-control',
  status: 'stable',
  rationale:
    'An application needs reads and writes on its own keys, never `FLUSHALL`, `CONFIG`, `SHUTDOWN` or `REPLICAOF`. ' +
    'When the user it logs in as can run them, one injection or stolen password is enough to wipe the data, stop the server, or use `CONFIG SET` and replication to write files on the host; `KEYS` on a large keyspace blocks the server.',
  fix: 'Give the application its own ACL user without them, such as `user app on >password ~app:* +@all -@dangerous`, and disable or restrict the `default` user.',
  currentGuidance:
    'Guides that predate Redis 6 hide these commands with `rename-command`; the redis.conf shipped with Redis 7 marks command renaming as deprecated and recommends ACL rules instead. Renamed commands are accepted here but ACL users are preferred.',
  limitations: [
    'Users whose name contains admin, root, ops, operator or superuser are taken for administrators and not reported.',
    'Only whole-command rules and categories are evaluated; subcommand rules such as `-config|set` and selectors are ignored, so such users may still be reported.',
    '`DEBUG` and `MODULE` count only when `enable-debug-command yes` or `enable-module-command yes` is set, as in Redis 7 and later; Redis 6 allows them by default.',
    'Users in an `aclfile` are read when the file is mounted into the service from the repository; otherwise the setup is skipped.',
    'Redis rejects comment lines in an ACL file, so findings in one are suppressed in `.infraprime-accepted.yml`, not with `infraprime-ignore` comments.',
    'Users that need no password are left to RD001.',
  ],
  references: [
    'https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/',
    'https://redis.io/commands/ACL-CAT/',
  ],
  check(model, report) {
    for (const setup of redisSetups(model)) {
      for (const user of usersOf(setup) ?? []) {
        // A user without a password is reported by RD001, whose fix comes first.
        if (!canLogIn(user) || isOpen(user) || ADMIN_NAME.test(user.name)) continue;
        const commands = dangerousCommandsOf(user, setup);
        if (commands.length === 0) continue;
        report({
          message: `Redis user \`${user.name}\` in ${describeSetup(setup)} can run ${commands.join(', ')}`,
          location: user.entry?.location ?? setup.anchor,
          key: setupKey(setup, `user:${user.name}`),
          evidence: commands.join(' '),
        });
      }
    }
  },
});
