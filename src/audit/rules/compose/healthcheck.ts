import type { ComposeProject } from '../../model/types.js';
import { defineRule } from '../rule.js';
import {
  dockerfileHealthcheck,
  isMapping,
  isTrue,
  joinWords,
  serviceKey,
  servicesOf,
  stringsOf,
} from './helpers.js';

const TIMING_KEYS = ['interval', 'timeout', 'retries', 'start_period'];

export const healthcheckRule = defineRule({
  id: 'DC013',
  name: 'healthcheck-missing-or-incomplete',
  title: 'Service has no complete healthcheck',
  severity: 'medium',
  layer: 'monitoring',
  target: 'compose',
  control: 'monitoring.healthchecks',
  status: 'stable',
  rationale:
    'A healthcheck lets Docker tell a running process from a working service: dependants wait for `service_healthy`, orchestrators restart or stop routing to an unhealthy container, and monitoring sees the failure. ' +
    'Without `interval`, `timeout`, `retries` and `start_period` the defaults apply (30 s timeouts, no start grace), which either hides a hung service for minutes or marks a slow starter as failed.',
  fix: "Add a `healthcheck` with `test`, `interval`, `timeout`, `retries` and `start_period`, or a `HEALTHCHECK` instruction in the image's Dockerfile.",
  references: [
    'https://docs.docker.com/reference/compose-file/services/#healthcheck',
    'https://docs.docker.com/reference/dockerfile/#healthcheck',
  ],
  limitations: [
    'Services that another service waits for with `condition: service_completed_successfully` are one-shot jobs, such as migrations, and are not reported.',
    'A `HEALTHCHECK` built into a pulled image is not visible to a static check, so services that use such an image are reported.',
    'A Dockerfile `HEALTHCHECK` counts as complete, because its flags have defined defaults. When compose overrides only part of it, the settings compose leaves out count as set if the `HEALTHCHECK` sets them.',
  ],
  check(model, report) {
    const jobsByProject = new Map<ComposeProject, Set<string>>();
    for (const entry of servicesOf(model)) {
      const { project, service } = entry;
      let jobs = jobsByProject.get(project);
      if (!jobs) {
        jobs = oneShotJobsOf(project);
        jobsByProject.set(project, jobs);
      }
      if (jobs.has(service.name)) continue;
      const healthcheck = service.config.healthcheck;
      const fromDockerfile = dockerfileHealthcheck(service);
      const dockerfileDisabled = fromDockerfile?.args[0]?.toUpperCase() === 'NONE';
      const say = (message: string, path: string[]) =>
        report({
          message: `service '${service.name}' ${message}`,
          location: service.locate(path) ?? service.location,
          key: serviceKey(entry),
        });

      if (!isMapping(healthcheck)) {
        if (fromDockerfile && !dockerfileDisabled) continue;
        if (!fromDockerfile) {
          say('has no healthcheck', []);
          continue;
        }
        report({
          message: `service '${service.name}' has its image healthcheck disabled by \`HEALTHCHECK NONE\` in '${fromDockerfile.location.path}'`,
          location: service.build?.location ?? service.location,
          key: serviceKey(entry),
          related: [
            {
              message: 'the instruction that disables the healthcheck',
              location: fromDockerfile.location,
            },
          ],
        });
        continue;
      }
      if (isTrue(healthcheck.disable)) {
        say('disables its healthcheck', ['healthcheck', 'disable']);
        continue;
      }
      const test = stringsOf(healthcheck.test);
      if (test[0]?.toUpperCase() === 'NONE') {
        say('disables its healthcheck with `test: ["NONE"]`', ['healthcheck', 'test']);
        continue;
      }
      if (test.length === 0 && (!fromDockerfile || dockerfileDisabled)) {
        say('has a healthcheck without a `test`', ['healthcheck']);
        continue;
      }
      // Docker fills settings that compose leaves out from the image's HEALTHCHECK flags.
      const inherited = dockerfileDisabled ? {} : (fromDockerfile?.flags ?? {});
      const missing = TIMING_KEYS.filter(
        (key) =>
          (healthcheck[key] === undefined || healthcheck[key] === null) &&
          inherited[key.replace('_', '-')] === undefined,
      );
      if (missing.length > 0) {
        const names = missing.map((key) => `\`${key}\``);
        say(`has a healthcheck without ${joinWords(names)}`, ['healthcheck']);
      }
    }
  },
});

/** Collects the services that another service waits for to exit, which need no healthcheck. */
function oneShotJobsOf(project: ComposeProject): Set<string> {
  const jobs = new Set<string>();
  for (const service of project.services) {
    const dependsOn = service.config.depends_on;
    if (!isMapping(dependsOn)) continue;
    for (const [name, dependency] of Object.entries(dependsOn)) {
      const condition = isMapping(dependency) ? dependency.condition : undefined;
      if (condition === 'service_completed_successfully') jobs.add(name);
    }
  }
  return jobs;
}
