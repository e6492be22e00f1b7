import { defineRule } from '../rule.js';
import { isOpen, usersOf } from './acl.js';
import { describeSetup, redisSetups, setupKey } from './helpers.js';

export const noAuthenticationRule = defineRule({
  id: 'RD001',
  name: 'redis-no-authentication',
  title: 'Redis accepts clients without a password',
  severity: 'high',
  layer: 'data',
  target: 'redis',
  control: 'data.redis-authentication',
  status: 'stable',
  rationale:
    'Redis lets every client that reaches its port act as the `default` user, which can run every command, until `requirepass` or an ACL gives that user a password. ' +
    'An enabled user with `nopass` accepts any password, so knowing its name is enough to log in with its permissions. ' +
    "The official image's entrypoint also turns protected mode off unless the configuration file sets it, so any container on the same network can read the cache, sessions and rate-limit counters, and can use `CONFIG SET` or replication commands to write files on the server.",
  fix: 'Define an ACL user for the application with a hashed password (`user app on #<sha256 of the password> ~app:* +@all -@dangerous`) and disable the default user with `user default off`, or at least set `requirepass` from a secret.',
  limitations: [
    'Users in an `aclfile` are read when the file is mounted into the service from the repository; a setup whose ACL file is elsewhere is skipped.',
    'Redis rejects comment lines in an ACL file, so findings in one are suppressed in `.infraprime-accepted.yml`, not with `infraprime-ignore` comments.',
    'A configuration file that is not in the repository, such as one in a base image or mounted from outside, is not seen, so such services are skipped.',
    'Included files are not followed, so a setup with `include` and no password of its own is skipped.',
  ],
  references: [
    'https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/',
    'https://redis.io/docs/latest/develop/reference/errors/common/denied/',
    'https://hub.docker.com/_/redis',
  ],
  check(model, report) {
    for (const setup of redisSetups(model)) {
      const users = usersOf(setup) ?? [];
      for (const user of users) {
        if (user.name === 'default' || !isOpen(user) || !user.entry) continue;
        report({
          message: `Redis in ${describeSetup(setup)} enables the user \`${user.name}\` with \`nopass\`, so any client that reaches it can log in as that user with any password`,
          location: user.entry.location,
          key: setupKey(setup, `user:${user.name}`),
        });
      }

      const user = users.find((candidate) => candidate.name === 'default');
      if (!user || !isOpen(user)) continue;
      if (setup.partial && !user.entry) continue;
      const cause =
        user.entry?.key === 'user'
          ? 'enables the `default` user with `nopass`'
          : user.entry
            ? 'sets an empty password for the `default` user'
            : setup.acl
              ? `loads the ACL file '${setup.acl.file.path}', which does not define the \`default\` user, and Redis then creates that user without a password`
              : 'sets no `requirepass` and leaves the `default` user without a password';
      report({
        message: `Redis in ${describeSetup(setup)} ${cause}, so any client that reaches it can run every command`,
        location: user.entry?.location ?? setup.acl?.file.fileStart() ?? setup.anchor,
        key: setupKey(setup, 'default-user'),
      });
    }
  },
});
