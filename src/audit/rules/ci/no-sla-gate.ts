import type { Location } from '../../../finding/finding.js';
import { defineRule } from '../rule.js';
import { imageScansOf } from './scanners.js';
import {
  type CiStep,
  ciSteps,
  lineLocation,
  pairLocation,
  scriptLines,
  stepsOf,
} from './workflow.js';

/** The gate as a command on PATH, through npx, or as the package's `bin/infraprime.js`. */
const GATE_COMMAND = /\binfraprime(?:\.js|@[\w.^~-]+)?\s+vulns\s+gate\b/;
const IGNORED_STATUS = /\|\|\s*(?:(?:true|exit\s+0|echo)\b|:(?!\S))/;

/**
 * Lists what lets a gate step pass although the gate failed, or returns undefined when the
 * step runs no gate.
 */
function gateOverrides(step: CiStep): Array<{ message: string; location: Location }> | undefined {
  const gates = scriptLines(step).filter((line) => GATE_COMMAND.test(line.text));
  if (gates.length === 0) return undefined;
  const overrides = step.allowances.map((allowance) => ({
    message: `\`${String(allowance.path.at(-1))}: true\` lets the job pass when the gate fails`,
    location: pairLocation(step.yaml, allowance.path),
  }));
  for (const line of gates) {
    const after = GATE_COMMAND.exec(line.text)!.index;
    const ignored = IGNORED_STATUS.exec(line.text.slice(after));
    if (!ignored) continue;
    overrides.push({
      message: `\`${ignored[0]}\` turns a failed gate into success`,
      location: lineLocation(step, line, after + ignored.index, ignored[0].length),
    });
  }
  return overrides;
}

export const noSlaGateRule = defineRule({
  id: 'CI009',
  name: 'no-sla-gate',
  title: 'CI scans images but does not enforce the patch deadlines',
  severity: 'low',
  layer: 'vulnerability-management',
  target: 'ci',
  control: 'vulnerability-management.patch-sla',
  status: 'experimental',
  rationale:
    'A scan gate on HIGH and CRITICAL stops new severe findings, but MEDIUM and LOW findings pass it forever, although their patch deadlines are 7 and 30 days. ' +
    '`infraprime vulns gate` fails when an open finding is past its deadline, counted from the first time InfraPrime saw it, so the deadlines are enforced where images are released. ' +
    'A gate that is allowed to fail enforces nothing.',
  fix: 'Save the scanner report as JSON and add a step that runs `infraprime vulns gate` on it, without `continue-on-error`, `allow_failure` or `|| true`.',
  limitations: [
    'Any CI file that runs the gate satisfies the rule for the whole repository, whichever images it checks.',
    'A gate run outside CI, such as in a deployment script, is not seen.',
  ],
  references: [
    'https://trivy.dev/latest/docs/configuration/reporting/#json',
    'https://github.com/anchore/grype',
  ],
  check(model, report) {
    const gates = ciSteps(model).flatMap((step) => {
      const overrides = gateOverrides(step);
      return overrides ? [{ step, overrides }] : [];
    });
    if (gates.some((gate) => gate.overrides.length === 0)) return;

    for (const override of gates.flatMap((gate) => gate.overrides)) {
      report({
        message: `${override.message}, so overdue vulnerabilities do not stop the pipeline`,
        location: override.location,
        key: override.message,
      });
    }
    for (const yaml of model.workflows) {
      const scan = stepsOf(yaml).flatMap(imageScansOf)[0];
      if (!scan || gates.some((gate) => gate.step.yaml === yaml)) continue;
      report({
        message: `${scan.tool} scans images in \`${yaml.file.path}\`, but no CI step runs \`infraprime vulns gate\` to fail on findings past their patch deadline`,
        location: scan.location,
        key: 'gate',
      });
    }
  },
});
