import { defineRule } from '../rule.js';
import { serviceKey, servicesOf, stringsOf } from './helpers.js';

export const noNewPrivilegesRule = defineRule({
  id: 'DC019',
  name: 'no-new-privileges-missing',
  title: 'Service can gain privileges through setuid programs',
  severity: 'medium',
  layer: 'container',
  target: 'compose',
  control: 'container.no-new-privileges',
  status: 'stable',
  rationale:
    'Without `no-new-privileges`, a process in the container can raise its privileges by running a setuid or setcap binary, such as `su`, `sudo` or a planted helper. ' +
    'The flag makes the kernel ignore those bits, so a non-root user stays non-root even if an attacker finds such a binary.',
  fix: 'Add `security_opt: ["no-new-privileges:true"]` to the service.',
  references: [
    'https://docs.docker.com/reference/cli/docker/container/run/#security-opt',
    'https://www.kernel.org/doc/html/latest/userspace-api/no_new_privs.html',
  ],
  limitations: [
    "`no-new-privileges` set for the whole host in the Docker daemon's `daemon.json` is not visible to a static check.",
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      const options = stringsOf(service.config.security_opt).map((option) =>
        option.trim().toLowerCase(),
      );
      // Docker applies the last `no-new-privileges` entry.
      const index = options.findLastIndex((option) => /^no-new-privileges([:=]|$)/.test(option));
      const setting = options[index];
      if (setting === 'no-new-privileges' || /^no-new-privileges[:=]true$/.test(setting ?? ''))
        continue;
      report({
        message:
          setting === undefined
            ? `service '${service.name}' does not set \`no-new-privileges:true\``
            : `service '${service.name}' turns \`no-new-privileges\` off with \`${setting}\``,
        location:
          service.locate(['security_opt', index]) ??
          service.locate(['security_opt']) ??
          service.location,
        key: serviceKey(entry),
      });
    }
  },
});
