import type { DeploymentModel, YamlFile } from '../../model/types.js';
import { defineRule } from '../rule.js';
import { imageBuildOf, imageScansOf, includesGitlabContainerScanning } from './scanners.js';
import { isGithubWorkflow, isMapping, stepsOf } from './workflow.js';

function scansImages(yaml: YamlFile): boolean {
  return stepsOf(yaml).some((step) => imageScansOf(step).length > 0);
}

/** Finds the workflows in the model that `yaml` calls as local reusable workflows. */
function calledWorkflows(yaml: YamlFile, model: DeploymentModel): YamlFile[] {
  const root = yaml.documents[0];
  const jobs = isMapping(root) && isMapping(root.jobs) ? Object.values(root.jobs) : [];
  const called = jobs
    .map((job) => (isMapping(job) && typeof job.uses === 'string' ? job.uses : ''))
    .filter((uses) => uses.startsWith('./'))
    .map((uses) => uses.slice(2).split('@')[0]!);
  return model.workflows.filter((other) =>
    called.some((path) => other.file.path === path || other.file.path.endsWith(`/${path}`)),
  );
}

export const imageNotScannedRule = defineRule({
  id: 'CI001',
  name: 'image-not-scanned',
  title: 'CI builds a container image without scanning it',
  severity: 'high',
  layer: 'vulnerability-management',
  target: 'ci',
  control: 'vulnerability-management.image-scan',
  status: 'stable',
  rationale:
    'An image inherits every vulnerable package of its base image and of its dependencies, and new CVEs are published against them every day. ' +
    'If the pipeline that builds the image never runs a scanner over it, nothing stops a known-vulnerable image from being pushed and deployed. ' +
    'Scanning the built image in the same pipeline is the cheapest place to catch it.',
  fix: 'Scan the image right after it is built, before it is pushed: add an `aquasecurity/trivy-action` step (or `trivy image --exit-code 1 --severity HIGH,CRITICAL IMAGE`), or run `grype IMAGE --fail-on high`.',
  limitations: [
    'The scan must be in the same workflow file, or in a local reusable workflow that it calls. A scan in a separate scheduled workflow or in the registry is not seen.',
    'Only Trivy and Grype count as scanners, and GitLab `include:` files other than the Container-Scanning template are not read.',
    "Including GitLab's Container-Scanning template counts as a scan, although that job does not fail the pipeline by itself.",
  ],
  references: [
    'https://github.com/aquasecurity/trivy-action',
    'https://trivy.dev/latest/docs/target/container_image/',
    'https://github.com/anchore/scan-action',
    'https://docs.gitlab.com/user/application_security/container_scanning/',
  ],
  check(model, report) {
    for (const yaml of model.workflows) {
      const build = stepsOf(yaml)
        .map(imageBuildOf)
        .find((location) => location !== undefined);
      if (!build || scansImages(yaml) || includesGitlabContainerScanning(yaml)) continue;
      if (isGithubWorkflow(yaml) && calledWorkflows(yaml, model).some(scansImages)) continue;
      report({
        message: `\`${yaml.file.path}\` builds a container image but no step scans it with Trivy or Grype`,
        location: build,
        key: 'build',
      });
    }
  },
});
