import { defineRule } from '../rule.js';
import { imageScansOf } from './scanners.js';
import { stepsOf } from './workflow.js';

export const scanSeverityExcludesHighRule = defineRule({
  id: 'CI003',
  name: 'scan-severity-excludes-high',
  title: 'Image scan gate ignores HIGH or CRITICAL findings',
  severity: 'high',
  layer: 'vulnerability-management',
  target: 'ci',
  control: 'vulnerability-management.scan-gate',
  status: 'stable',
  rationale:
    'The scan gate must fail on every HIGH and CRITICAL vulnerability, because the patch deadlines for them are 24 hours and immediately. ' +
    'A gate limited to `CRITICAL` (Trivy `severity`, Grype `--fail-on critical` or `severity-cutoff: critical`) lets images with HIGH findings ship, and a list that leaves out CRITICAL lets the worst ones through.',
  fix: 'Fail on both levels: `severity: HIGH,CRITICAL` or `--severity HIGH,CRITICAL` for Trivy, `--fail-on high` or `severity-cutoff: high` for Grype.',
  limitations: [
    'Only scans that fail the job are checked, because CI002 reports a scan that never fails.',
    'Severity set in a Trivy or Grype configuration file, or through a shell variable, is not read.',
  ],
  references: [
    'https://github.com/aquasecurity/trivy-action#inputs',
    'https://trivy.dev/latest/docs/configuration/filtering/#by-severity',
    'https://github.com/anchore/grype#gating-on-severity-of-vulnerabilities',
    'https://github.com/anchore/scan-action',
  ],
  check(model, report) {
    for (const yaml of model.workflows) {
      for (const scan of stepsOf(yaml).flatMap(imageScansOf)) {
        if (scan.nonFailing.length > 0 || !scan.severity) continue;
        const missing = scan.severity.missing.join(' and ');
        report({
          message: `${scan.tool} gate in job \`${scan.step.job}\` is limited to \`${scan.severity.value}\`, so ${missing} findings pass it`,
          location: scan.severity.location,
          key: scan.step.path.join('.'),
          evidence: scan.severity.value,
        });
      }
    }
  },
});
