import { defineRule } from '../rule.js';
import { serviceKey, servicesOf, stringsOf } from './helpers.js';

/**
 * `security_opt` entries that switch off a kernel confinement profile, also in the form
 * `label:seccomp:unconfined` that some files use. `label=type:spc_t` is SELinux's
 * super-privileged container type, which is not confined.
 */
const UNCONFINED =
  /^(label[:=])?(seccomp|apparmor)[:=]unconfined$|^label[:=](disable|type:spc_t)$|^systempaths[:=]unconfined$/;

export const unconfinedProfileRule = defineRule({
  id: 'DC020',
  name: 'security-profile-unconfined',
  title: 'Service turns off seccomp, AppArmor or SELinux confinement',
  severity: 'high',
  layer: 'container',
  target: 'compose',
  control: 'container.security-profiles',
  status: 'stable',
  rationale:
    "Docker's default seccomp profile blocks about forty rarely used system calls that have been the entry point of many kernel exploits, and AppArmor or SELinux keep the container away from host files even if it escapes its namespaces. " +
    '`unconfined` removes that layer, so a kernel bug reachable through a blocked call becomes exploitable from the container.',
  fix: "Remove the `unconfined` entry; if one system call is missing, start from Docker's default seccomp profile and allow just that call in a custom profile.",
  references: [
    'https://docs.docker.com/engine/security/seccomp/',
    'https://docs.docker.com/engine/security/apparmor/',
  ],
  check(model, report) {
    for (const entry of servicesOf(model)) {
      const { service } = entry;
      stringsOf(service.config.security_opt).forEach((option, index) => {
        const normalized = option.trim().toLowerCase().replace(/\s+/g, '');
        if (!UNCONFINED.test(normalized)) return;
        report({
          message: `service '${service.name}' sets \`${option.trim()}\`, removing kernel confinement`,
          location: service.locate(['security_opt', index]) ?? service.locate(['security_opt'])!,
          key: serviceKey(entry, normalized),
        });
      });
    }
  },
});
