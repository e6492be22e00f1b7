import { defineRule } from '../rule.js';
import { imageScansOf } from './scanners.js';
import { stepsOf } from './workflow.js';

export const scanDoesNotFailRule = defineRule({
  id: 'CI002',
  name: 'scan-does-not-fail',
  title: 'Image scan never fails the pipeline',
  severity: 'high',
  layer: 'vulnerability-management',
  target: 'ci',
  control: 'vulnerability-management.scan-gate',
  status: 'stable',
  rationale:
    'Trivy and `trivy-action` exit 0 by default whatever they find, and Grype does so unless `--fail-on` is set. ' +
    'A scan whose result cannot fail the job, or whose failure is swallowed by `continue-on-error`, `allow_failure` or `|| true`, only prints a report that nobody has to read, so a vulnerable image still ships.',
  fix: 'Give Trivy `exit-code: 1` (action) or `--exit-code 1` (command), give Grype `--fail-on high`, and remove `continue-on-error`, `allow_failure` and `|| true` from the scan.',
  limitations: [
    'A CI file passes when any one of its image scans fails the job, so a second image scanned only for a report in the same file is not reported.',
    'A Trivy `trivy.yaml` configuration file, or an exit code set in a shell variable, is not read.',
    'In GitLab CI, an exit status lost in a pipe (`trivy image IMAGE | tee report.txt`) is not detected, because the shell options depend on the runner.',
  ],
  references: [
    'https://github.com/aquasecurity/trivy-action#inputs',
    'https://trivy.dev/latest/docs/configuration/others/#exit-code',
    'https://github.com/anchore/grype#gating-on-severity-of-vulnerabilities',
    'https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions#jobsjob_idstepscontinue-on-error',
    'https://docs.gitlab.com/ci/yaml/#allow_failure',
  ],
  check(model, report) {
    for (const yaml of model.workflows) {
      const scans = stepsOf(yaml).flatMap(imageScansOf);
      if (scans.length === 0 || scans.some((scan) => scan.nonFailing.length === 0)) continue;
      for (const scan of scans) {
        for (const reason of scan.nonFailing) {
          report({
            message: `${scan.tool} scan in job \`${scan.step.job}\` cannot fail the pipeline because ${reason.message}`,
            location: reason.location,
            key: `${scan.step.path.join('.')}:${reason.message}`,
          });
        }
      }
    }
  },
});
