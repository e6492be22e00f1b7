import { defineRule } from '../rule.js';
import { serviceKey, servicesOf, stringsOf } from './helpers.js';

/** Capabilities that allow escaping the container or taking over the host or its network. */
const DANGEROUS = new Map<string, string>([
  ['ALL', 'every operation that Linux guards with a capability'],
  ['SYS_ADMIN', 'mounts, namespaces and many container escapes'],
  ['SYS_MODULE', 'loading kernel modules'],
  ['SYS_PTRACE', 'tracing and injecting code into other processes'],
  ['SYS_RAWIO', 'raw access to devices and memory'],
  ['SYS_BOOT', 'rebooting the host'],
  ['SYS_TIME', 'setting the host clock'],
  ['NET_ADMIN', 'reconfiguring interfaces, routes and firewall rules'],
  ['DAC_READ_SEARCH', 'reading any file by handle, a known escape'],
  ['BPF', 'loading eBPF programs into the kernel'],
  ['PERFMON', 'kernel performance monitoring'],
  ['MAC_ADMIN', 'changing AppArmor or SELinux policy'],
  ['MAC_OVERRIDE', 'bypassing AppArmor or SELinux policy'],
  ['SYSLOG', 'reading kernel logs and addresses'],
]);

export const dangerousCapabilityRule = defineRule({
  id: 'DC018',
  name: 'dangerous-capability-added',
  title: 'Service adds a dangerous capability',
  severity: 'high',
  layer: 'container',
  target: 'compose',
  control: 'container.drop-capabilities',
  status: 'stable',
  rationale:
    'Capabilities such as `SYS_ADMIN`, `SYS_MODULE`, `SYS_PTRACE`, `NET_ADMIN` and `ALL` give a container powers over the host kernel or its network that are the usual first step of a container escape. ' +
    'An application service almost never needs them, and a compromised one can use them to leave the container.',
  fix: 'Remove the capability from `cap_add`; if a tool truly needs it, run that tool in its own short-lived container rather than in the service.',
  references: [
    'https://docs.docker.com/reference/compose-file/services/#cap_add',
    'https://man7.org/linux/man-pages/man7/capabilities.7.html',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      const added = stringsOf(service.config.cap_add);
      added.forEach((raw, index) => {
        const name = raw.toUpperCase().replace(/^CAP_/, '');
        const power = DANGEROUS.get(name);
        if (!power) return;
        report({
          message: `service '${service.name}' adds capability ${name}, which allows ${power}`,
          location: service.locate(['cap_add', index]) ?? service.locate(['cap_add'])!,
          key: serviceKey(entry, name),
        });
      });
    }
  },
});
