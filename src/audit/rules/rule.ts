import type { Finding, Layer, Location, Severity } from '../../finding/finding.js';
import type { DeploymentModel } from '../model/types.js';

export type RuleTarget =
  | 'core'
  | 'dockerfile'
  | 'compose'
  | 'nginx'
  | 'postgresql'
  | 'redis'
  | 'secrets'
  | 'ci';
export type RuleStatus = 'experimental' | 'stable' | 'deprecated';

export interface RuleMeta {
  /** Stable id, never reused: a target prefix and a number, such as `DF001`. */
  id: string;
  /** Short kebab-case name, usable in place of the id in suppressions. */
  name: string;
  title: string;
  severity: Severity;
  layer: Layer;
  target: RuleTarget;
  /** Baseline control, such as `container.non-root`. */
  control: string;
  status: RuleStatus;
  /** Why it matters, in two to four sentences. */
  rationale: string;
  /** How to fix it, in one or two sentences. */
  fix: string;
  /** Where the baseline's advice is out of date, what current guidance says instead. */
  currentGuidance?: string;
  /** Known false positives or negatives. */
  limitations?: string[];
  references: string[];
  /** Replacement id for deprecated rules. */
  replacedBy?: string;
}

/** What a rule reports; the engine fills in metadata, fingerprint and suppressions. */
export interface Report {
  message: string;
  location: Location;
  /** Stable part of the fingerprint, such as the service or directive path; defaults to the message. */
  key?: string;
  evidence?: string;
  related?: Finding['related'];
  /** Overrides the rule's severity for this report, for example a secret in a tracked file. */
  severity?: Severity;
}

export interface Rule extends RuleMeta {
  check(model: DeploymentModel, report: (finding: Report) => void): void;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
