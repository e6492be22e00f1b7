import type { Location } from '../../../finding/finding.js';
import type { YamlFile } from '../../model/types.js';
import {
  actionName,
  type CiStep,
  isGithubWorkflow,
  isMapping,
  lineLocation,
  pairLocation,
  type ScriptLine,
  scriptLines,
  valueLocation,
} from './workflow.js';

/** A reason why a scan step does not fail its job. */
export interface NonFailing {
  message: string;
  location: Location;
}

/** A severity filter on a scan that fails the job. */
export interface SeverityFilter {
  /** The filter as written, such as `CRITICAL` or `critical`. */
  value: string;
  /** Severities at or above HIGH that the filter leaves out. */
  missing: string[];
  location: Location;
}

/** A scanner setting as written, and where. */
interface Setting {
  value: string;
  location: Location;
}

/** One Trivy or Grype scan of a container image in a CI step. */
export interface ImageScan {
  step: CiStep;
  tool: 'Trivy' | 'Grype';
  /** The `uses:` value or the scanner command in the script. */
  location: Location;
  /** Empty when a finding fails the job. */
  nonFailing: NonFailing[];
  severity?: SeverityFilter;
}

const HIGH_AND_CRITICAL = ['HIGH', 'CRITICAL'];
/** Grype's `--fail-on` levels, lowest first. */
const GRYPE_LEVELS = ['negligible', 'low', 'medium', 'high', 'critical'];

const BUILD_COMMAND =
  /\b(?:docker(?:\s+buildx)?\s+(?:image\s+)?build|docker[\s-]compose\s+(?:[^\n;&|]{0,200}\s)?build|buildah\s+(?:bud|build)|podman\s+build|\/kaniko\/executor|nerdctl\s+build)\b/;

/** Locates the first image build in a step: the build action, or the build command. */
export function imageBuildOf(step: CiStep): Location | undefined {
  const action = actionName(step.uses);
  if (
    action === 'docker/build-push-action' ||
    action === 'docker/bake-action' ||
    action.startsWith('redhat-actions/buildah-build')
  ) {
    return valueLocation(step.yaml, [...step.path, 'uses']);
  }
  for (const line of scriptLines(step)) {
    const match = BUILD_COMMAND.exec(line.text);
    if (match) return lineLocation(step, line, match.index, match[0].length);
  }
  return undefined;
}

/** True when `.gitlab-ci.yml` includes GitLab's container-scanning template. */
export function includesGitlabContainerScanning(yaml: YamlFile): boolean {
  const root = yaml.documents[0];
  if (!isMapping(root)) return false;
  const include = Array.isArray(root.include) ? root.include : [root.include];
  return include.some((entry) => {
    const template = isMapping(entry) ? entry.template : entry;
    return typeof template === 'string' && /Container-Scanning/i.test(template);
  });
}

/** Lists the image scans of a step, by action or by Trivy and Grype commands in its script. */
export function imageScansOf(step: CiStep): ImageScan[] {
  const action = actionName(step.uses);
  if (action === 'aquasecurity/trivy-action') return trivyActionScan(step);
  if (action === 'anchore/scan-action') return grypeActionScan(step);
  return scriptLines(step).flatMap((line) => [
    ...commandScans(step, line, TRIVY, trivyCommandScan),
    ...commandScans(step, line, GRYPE, grypeCommandScan),
  ]);
}

// ---------------------------------------------------------------- actions

function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
}

function allowancesOf(step: CiStep): NonFailing[] {
  return step.allowances.map((allowance) => ({
    message: `\`${String(allowance.path.at(-1))}: true\` lets the job pass when the scan fails`,
    location: pairLocation(step.yaml, allowance.path),
  }));
}

function trivyActionScan(step: CiStep): ImageScan[] {
  const scanType = text(step.inputs['scan-type']) ?? 'image';
  if (scanType !== 'image') return [];
  const uses = valueLocation(step.yaml, [...step.path, 'uses']);
  const nonFailing = allowancesOf(step);
  const exitCode = text(step.inputs['exit-code']) ?? text(step.env.TRIVY_EXIT_CODE);
  if (exitCode === undefined || Number(exitCode) === 0) {
    const at =
      step.inputs['exit-code'] !== undefined ? [...step.path, 'with', 'exit-code'] : undefined;
    nonFailing.push({
      message:
        exitCode === undefined
          ? 'trivy-action has no `exit-code` and exits 0 by default'
          : `\`exit-code: ${exitCode}\` tells trivy-action to exit 0 even when it finds vulnerabilities`,
      location: at ? pairLocation(step.yaml, at) : uses,
    });
  }

  const severity = text(step.inputs.severity);
  const setting =
    severity !== undefined
      ? { value: severity, location: valueLocation(step.yaml, [...step.path, 'with', 'severity']) }
      : envSetting(step, 'TRIVY_SEVERITY');
  const filter = setting && trivySeverity(setting.value, setting.location);
  return [
    { step, tool: 'Trivy', location: uses, nonFailing, ...(filter ? { severity: filter } : {}) },
  ];
}

function grypeActionScan(step: CiStep): ImageScan[] {
  if (step.inputs.image === undefined && step.inputs.sbom === undefined) return [];
  const uses = valueLocation(step.yaml, [...step.path, 'uses']);
  const nonFailing = allowancesOf(step);
  // scan-action v3 and later fail the build by default, at `severity-cutoff: medium`.
  if (text(step.inputs['fail-build']) === 'false') {
    nonFailing.push({
      message: '`fail-build: false` makes scan-action pass whatever Grype finds',
      location: pairLocation(step.yaml, [...step.path, 'with', 'fail-build']),
    });
  }
  const cutoff = text(step.inputs['severity-cutoff']);
  const filter =
    cutoff !== undefined
      ? grypeSeverity(cutoff, valueLocation(step.yaml, [...step.path, 'with', 'severity-cutoff']))
      : undefined;
  return [
    { step, tool: 'Grype', location: uses, nonFailing, ...(filter ? { severity: filter } : {}) },
  ];
}

/** Locates variable `name` in the env of the step, its job or the file, innermost first. */
function envLocation(step: CiStep, name: string): Location {
  const candidates = [
    [...step.path, 'env', name],
    ['jobs', step.job, 'env', name],
    ['env', name],
    [step.job, 'variables', name],
    ['variables', name],
  ];
  const path = candidates.find((candidate) => step.yaml.locate(candidate)) ?? step.path;
  return valueLocation(step.yaml, path);
}

function envSetting(step: CiStep, name: string): Setting | undefined {
  const value = text(step.env[name]);
  return value === undefined ? undefined : { value, location: envLocation(step, name) };
}

function trivySeverity(value: string, location: Location): SeverityFilter | undefined {
  const listed = value.toUpperCase().split(/[\s,]+/);
  const missing = HIGH_AND_CRITICAL.filter((severity) => !listed.includes(severity));
  return missing.length > 0 ? { value, missing, location } : undefined;
}

function grypeSeverity(value: string, location: Location): SeverityFilter | undefined {
  const level = GRYPE_LEVELS.indexOf(value.toLowerCase());
  if (level < 0) return undefined;
  const missing = HIGH_AND_CRITICAL.filter((_, index) => index + 3 < level);
  return missing.length > 0 ? { value, missing, location } : undefined;
}

// ---------------------------------------------------------------- commands

/** A scanner command on one logical line, up to the next `;`, `&&`, `||` or `|`. */
interface Command {
  line: ScriptLine;
  index: number;
  /** Text from the scanner name to the end of the command. */
  text: string;
  words: string[];
  /** Text after the command on the same logical line. */
  rest: string;
  /** Index of `rest` in the line. */
  restIndex: number;
}

const TRIVY = /(?<![\w./:@-])(?:[\w.-]+\/)*trivy(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?(?=\s|$)/g;
const GRYPE = /(?<![\w./:@-])(?:[\w.-]+\/)*grype(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?(?=\s|$)/g;

const TRIVY_SUBCOMMANDS = new Set(
  'image i filesystem fs rootfs repository repo config conf sbom kubernetes k8s vm aws server client plugin module version clean convert registry help completion'.split(
    ' ',
  ),
);
const GRYPE_NON_SCANS = new Set(['db', 'version', 'completion', 'help', 'explain', 'config']);
/** Grype flags that take the next word as their value. */
const GRYPE_VALUE_FLAGS = new Set(
  '-o --output -f --fail-on -c --config -s --scope --file --name --platform --exclude --distro -t --template --sort-by --ignore-states'.split(
    ' ',
  ),
);

function commandScans(
  step: CiStep,
  line: ScriptLine,
  pattern: RegExp,
  analyze: (step: CiStep, command: Command) => ImageScan | undefined,
): ImageScan[] {
  const scans: ImageScan[] = [];
  for (const match of line.text.matchAll(pattern)) {
    const after = line.text.slice(match.index);
    const end = /\s(?:\|\|?|&&)|;/.exec(after);
    const commandText = end ? after.slice(0, end.index) : after;
    const command: Command = {
      line,
      index: match.index,
      text: commandText.trimEnd(),
      words: commandText
        .slice(match[0].length)
        .split(/(?:\s|\\\n)+/)
        .filter(Boolean),
      rest: end ? after.slice(end.index) : '',
      restIndex: match.index + (end ? end.index : after.length),
    };
    const scan = analyze(step, command);
    if (scan) scans.push(scan);
  }
  return scans;
}

function commandLocation(step: CiStep, command: Command): Location {
  return lineLocation(step, command.line, command.index, command.text.length);
}

/** Finds `--flag value` or `--flag=value` in a command and locates the value. */
function flagValue(step: CiStep, command: Command, flags: string): Setting | undefined {
  const pattern = new RegExp(`(?<=\\s)(?:${flags})(?:=|\\s+)(['"]?)([\\w,.-]+)\\1`);
  const match = pattern.exec(command.text);
  if (!match) return undefined;
  const valueIndex = match.index + match[0].length - match[2]!.length - match[1]!.length;
  return {
    value: match[2]!,
    location: lineLocation(step, command.line, command.index + valueIndex, match[2]!.length),
  };
}

/** Finds `|| true`, `|| exit 0`, `|| :` or `|| echo ...` after the command on its line. */
function ignoredStatus(step: CiStep, command: Command): NonFailing[] {
  const match = /^\s*(\|\|\s*(?:(?:true|exit\s+0|echo)\b|:(?!\S)))/.exec(command.rest);
  if (!match) return [];
  const index = command.restIndex + command.rest.indexOf(match[1]!);
  return [
    {
      message: `\`${match[1]}\` turns the scanner's failure into success`,
      location: lineLocation(step, command.line, index, match[1]!.length),
    },
  ];
}

/**
 * Finds a pipe after the command that hides its exit status. A GitHub `run:` step without an
 * explicit `shell: bash` runs `bash -e {0}`, without `pipefail`, so the last command's status wins.
 */
function lostInPipe(step: CiStep, command: Command): NonFailing[] {
  if (!isGithubWorkflow(step.yaml) || /\bpipefail\b/.test(step.script)) return [];
  if (step.shell === 'bash' || step.shell?.includes('pipefail')) return [];
  const match = /^\s*(\|(?!\|)[^|;&\n]*)/.exec(command.rest);
  if (!match) return [];
  const pipe = match[1]!.trimEnd();
  return [
    {
      message: `\`${pipe}\` hides the scanner's exit status in a shell without \`pipefail\``,
      location: lineLocation(
        step,
        command.line,
        command.restIndex + command.rest.indexOf(pipe),
        pipe.length,
      ),
    },
  ];
}

/** Reads `NAME=value` from the command's line (as in `docker run -e`), then from the env. */
function variable(step: CiStep, command: Command, name: string): Setting | undefined {
  const inline = new RegExp(`\\b${name}=(['"]?)([\\w,]+)\\1`).exec(command.line.text);
  if (!inline) return envSetting(step, name);
  const index = inline.index + name.length + 1 + inline[1]!.length;
  return {
    value: inline[2]!,
    location: lineLocation(step, command.line, index, inline[2]!.length),
  };
}

function trivyCommandScan(step: CiStep, command: Command): ImageScan | undefined {
  const subcommand = command.words.find((word) => TRIVY_SUBCOMMANDS.has(word));
  if (subcommand !== 'image' && subcommand !== 'i') return undefined;
  const location = commandLocation(step, command);
  const nonFailing = [
    ...allowancesOf(step),
    ...ignoredStatus(step, command),
    ...lostInPipe(step, command),
  ];
  const exitCode =
    flagValue(step, command, '--exit-code')?.value ??
    variable(step, command, 'TRIVY_EXIT_CODE')?.value;
  if (exitCode === undefined || Number(exitCode) === 0) {
    nonFailing.push({
      message:
        exitCode === undefined
          ? '`trivy image` has no `--exit-code 1` and exits 0 by default'
          : `\`--exit-code ${exitCode}\` tells \`trivy image\` to exit 0 even when it finds vulnerabilities`,
      location,
    });
  }

  const setting =
    flagValue(step, command, '--severity|-s') ?? variable(step, command, 'TRIVY_SEVERITY');
  const filter = setting && trivySeverity(setting.value, setting.location);
  return { step, tool: 'Trivy', location, nonFailing, ...(filter ? { severity: filter } : {}) };
}

function grypeSource(words: string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (!word.startsWith('-')) return word;
    if (GRYPE_VALUE_FLAGS.has(word)) i++;
  }
  return undefined;
}

function grypeCommandScan(step: CiStep, command: Command): ImageScan | undefined {
  const source = grypeSource(command.words)?.replace(/^['"]|['"]$/g, '');
  if (!source || GRYPE_NON_SCANS.has(source)) return undefined;
  if (/^(?:dir|file):|^\.{0,2}\//.test(source) || source === '.') return undefined;
  const location = commandLocation(step, command);
  const nonFailing = [
    ...allowancesOf(step),
    ...ignoredStatus(step, command),
    ...lostInPipe(step, command),
  ];
  const failOn =
    flagValue(step, command, '--fail-on|-f') ?? variable(step, command, 'GRYPE_FAIL_ON_SEVERITY');
  if (!failOn) {
    nonFailing.push({
      message: '`grype` has no `--fail-on high` and exits 0 by default',
      location,
    });
  }
  const filter = failOn && grypeSeverity(failOn.value, failOn.location);
  return { step, tool: 'Grype', location, nonFailing, ...(filter ? { severity: filter } : {}) };
}
