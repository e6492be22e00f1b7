import type { Location } from '../../../finding/finding.js';
import type { DeploymentModel, YamlFile } from '../../model/types.js';

export type ValuePath = Array<string | number>;

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isGithubWorkflow(yaml: YamlFile): boolean {
  return /(^|\/)\.github\/workflows\/[^/]+$/.test(yaml.file.path);
}

export function isGitlabCi(yaml: YamlFile): boolean {
  return /(^|\/)\.gitlab-ci\.ya?ml$/.test(yaml.file.path);
}

/** A setting that lets a step or job fail without failing the run. */
export interface FailureAllowance {
  /** Value path of the key: `continue-on-error` (GitHub) or `allow_failure` (GitLab). */
  path: ValuePath;
}

/** One GitHub Actions step, or one GitLab job, with the shell text it runs. */
export interface CiStep {
  yaml: YamlFile;
  /** Value path of the step (`jobs.build.steps.2`) or of the GitLab job. */
  path: ValuePath;
  job: string;
  /** `uses:` of a GitHub step. */
  uses?: string;
  /** `with:` inputs of a GitHub step. */
  inputs: Record<string, unknown>;
  /** Shell commands: a GitHub `run:` or the GitLab `before_script`, `script` and `after_script`. */
  script: string;
  /** Value paths of the YAML values that hold `script`. */
  scriptPaths: ValuePath[];
  /** Environment of the step: workflow, job and step `env` (GitLab `variables`), inner first. */
  env: Record<string, unknown>;
  /** Settings that let a failure of the step or its job pass, outermost first. */
  allowances: FailureAllowance[];
  /** `shell:` of a GitHub step, or the `defaults.run.shell` of its job or workflow. */
  shell?: string;
}

/** Keys at the top of `.gitlab-ci.yml` that configure the pipeline instead of naming a job. */
const GITLAB_RESERVED = new Set([
  'stages',
  'variables',
  'include',
  'default',
  'workflow',
  'image',
  'services',
  'before_script',
  'after_script',
  'cache',
  'pages',
]);

const GITLAB_SCRIPT_KEYS = ['before_script', 'script', 'after_script'];

function scriptText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(scriptText).join('\n');
  return '';
}

function mappingOf(value: unknown): Record<string, unknown> {
  return isMapping(value) ? value : {};
}

function shellOf(defaults: unknown): string | undefined {
  const shell = mappingOf(mappingOf(defaults).run).shell;
  return typeof shell === 'string' ? shell : undefined;
}

function githubSteps(yaml: YamlFile): CiStep[] {
  const root = mappingOf(yaml.documents[0]);
  const steps: CiStep[] = [];
  for (const [job, config] of Object.entries(mappingOf(root.jobs))) {
    if (!isMapping(config) || !Array.isArray(config.steps)) continue;
    const jobEnv = { ...mappingOf(root.env), ...mappingOf(config.env) };
    const defaultShell = shellOf(config.defaults) ?? shellOf(root.defaults);
    const jobAllowance =
      config['continue-on-error'] === true ? [{ path: ['jobs', job, 'continue-on-error'] }] : [];
    config.steps.forEach((step, index) => {
      if (!isMapping(step)) return;
      const path = ['jobs', job, 'steps', index];
      const shell = typeof step.shell === 'string' ? step.shell : defaultShell;
      const stepAllowance =
        step['continue-on-error'] === true ? [{ path: [...path, 'continue-on-error'] }] : [];
      steps.push({
        yaml,
        path,
        job,
        ...(typeof step.uses === 'string' ? { uses: step.uses } : {}),
        inputs: mappingOf(step.with),
        script: typeof step.run === 'string' ? step.run : '',
        scriptPaths: typeof step.run === 'string' ? [[...path, 'run']] : [],
        env: { ...jobEnv, ...mappingOf(step.env) },
        allowances: [...jobAllowance, ...stepAllowance],
        ...(shell ? { shell } : {}),
      });
    });
  }
  return steps;
}

/** GitLab's maximum nesting of `extends`. */
const MAX_EXTENDS_DEPTH = 11;

function parentsOf(config: Record<string, unknown>): string[] {
  const parents = Array.isArray(config.extends) ? config.extends : [config.extends];
  return parents.filter((parent): parent is string => typeof parent === 'string');
}

/**
 * Finds the value path that gives `key` to a GitLab job: the job itself, then its `extends`
 * templates, the last one listed first because GitLab lets it win.
 */
function gitlabSource(
  root: Record<string, unknown>,
  job: string,
  key: string,
  depth = 0,
): ValuePath | undefined {
  const config = mappingOf(root[job]);
  if (config[key] !== undefined) return [job, key];
  if (depth >= MAX_EXTENDS_DEPTH) return undefined;
  for (const parent of parentsOf(config).reverse()) {
    const found = gitlabSource(root, parent, key, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** Merges `variables` of a job's `extends` templates and of the job, the job's own winning. */
function gitlabVariables(
  root: Record<string, unknown>,
  job: string,
  depth = 0,
): Record<string, unknown> {
  const config = mappingOf(root[job]);
  const inherited =
    depth >= MAX_EXTENDS_DEPTH
      ? {}
      : Object.assign(
          {},
          ...parentsOf(config).map((parent) => gitlabVariables(root, parent, depth + 1)),
        );
  return { ...inherited, ...mappingOf(config.variables) };
}

function gitlabJobs(yaml: YamlFile): CiStep[] {
  const root = mappingOf(yaml.documents[0]);
  const steps: CiStep[] = [];
  for (const [job, config] of Object.entries(root)) {
    if (GITLAB_RESERVED.has(job) || job.startsWith('.') || !isMapping(config)) continue;
    const scriptPaths = GITLAB_SCRIPT_KEYS.flatMap((key) => {
      const source =
        gitlabSource(root, job, key) ??
        (key !== 'script' && mappingOf(root.default)[key] !== undefined
          ? ['default', key]
          : undefined);
      return source ? [source] : [];
    });
    const allowFailure = gitlabSource(root, job, 'allow_failure');
    steps.push({
      yaml,
      path: [job],
      job,
      inputs: {},
      script: scriptPaths.map((path) => scriptText(valueAt(root, path))).join('\n'),
      scriptPaths,
      env: { ...mappingOf(root.variables), ...gitlabVariables(root, job) },
      // `allow_failure: { exit_codes: [...] }` allows only the listed codes, so it is not counted.
      allowances:
        allowFailure && valueAt(root, allowFailure) === true ? [{ path: allowFailure }] : [],
    });
  }
  return steps;
}

/** Lists the steps of one CI file. */
export function stepsOf(yaml: YamlFile): CiStep[] {
  if (isGithubWorkflow(yaml)) return githubSteps(yaml);
  if (isGitlabCi(yaml)) return gitlabJobs(yaml);
  return [];
}

/** Lists the steps of every CI file in the model. */
export function ciSteps(model: DeploymentModel): CiStep[] {
  return model.workflows.flatMap(stepsOf);
}

/** Returns the action of a `uses:` value, lower-cased and without its ref. */
export function actionName(uses: string | undefined): string {
  return (uses ?? '').split('@')[0]!.toLowerCase();
}

/** Names of the events that trigger a GitHub workflow, from `on:` as a string, list or mapping. */
export function triggersOf(yaml: YamlFile): string[] {
  const root = mappingOf(yaml.documents[0]);
  const on = root.on;
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.filter((event): event is string => typeof event === 'string');
  return Object.keys(mappingOf(on));
}

// ---------------------------------------------------------------- locations

const lineStartsCache = new WeakMap<YamlFile, number[]>();

function lineStarts(yaml: YamlFile): number[] {
  let starts = lineStartsCache.get(yaml);
  if (starts) return starts;
  starts = [0];
  const text = yaml.file.text;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  lineStartsCache.set(yaml, starts);
  return starts;
}

/** Converts a 1-based line and column back to a 0-based offset in the file. */
function offsetAt(yaml: YamlFile, line: number, column: number): number {
  return (lineStarts(yaml)[line - 1] ?? yaml.file.text.length) + column - 1;
}

/** Locates the value at `path`, falling back to its key, then to the file's first line. */
export function valueLocation(yaml: YamlFile, path: ValuePath): Location {
  return yaml.locate(path, 'value') ?? yaml.locate(path) ?? yaml.file.fileStart();
}

/** Locates a whole `key: value` pair, from the key's first character to the value's last. */
export function pairLocation(yaml: YamlFile, path: ValuePath): Location {
  const key = yaml.locate(path);
  const value = yaml.locate(path, 'value');
  if (!key || !value) return valueLocation(yaml, path);
  return { ...key, endLine: value.endLine, endColumn: value.endColumn };
}

/** A logical shell line of a script, as written in the file, with its offset there. */
export interface ScriptLine {
  /** Raw text; a line continued with `\` keeps its line breaks. */
  text: string;
  offset: number;
}

/** Splits the YAML value at `path` (a script string or a list of them) into logical lines. */
function linesOfValue(yaml: YamlFile, path: ValuePath, value: unknown): ScriptLine[] {
  if (Array.isArray(value)) {
    return value.flatMap((item, index) => linesOfValue(yaml, [...path, index], item));
  }
  const span = yaml.locate(path, 'value');
  if (typeof value !== 'string' || !span) return [];
  const start = offsetAt(yaml, span.startLine, span.startColumn);
  const end = offsetAt(yaml, span.endLine, span.endColumn);
  const raw = yaml.file.text.slice(start, end);
  // Plain, quoted and folded scalars fold their line breaks, so the whole value is one line.
  if (!raw.startsWith('|')) return [{ text: raw, offset: start }];

  const lines: ScriptLine[] = [];
  let offset = start + raw.indexOf('\n') + 1;
  let current: ScriptLine | undefined;
  for (const line of raw.slice(raw.indexOf('\n') + 1).split('\n')) {
    if (current) current.text += `\n${line}`;
    else current = { text: line, offset };
    offset += line.length + 1;
    if (!line.trimEnd().endsWith('\\')) {
      lines.push(current);
      current = undefined;
    }
  }
  if (current) lines.push(current);
  return lines;
}

/** Lists the logical shell lines of a step's script, shell comment lines left out. */
export function scriptLines(step: CiStep): ScriptLine[] {
  const root = step.yaml.documents[0];
  return step.scriptPaths
    .flatMap((path) => linesOfValue(step.yaml, path, valueAt(root, path)))
    .filter((line) => !line.text.trimStart().startsWith('#'));
}

function valueAt(root: unknown, path: ValuePath): unknown {
  let value = root;
  for (const segment of path) {
    if (Array.isArray(value) && typeof segment === 'number') value = value[segment];
    else if (isMapping(value)) value = value[String(segment)];
    else return undefined;
  }
  return value;
}

/** Locates `length` characters at `index` of a script line. */
export function lineLocation(
  step: CiStep,
  line: ScriptLine,
  index: number,
  length: number,
): Location {
  const start = line.offset + index;
  return step.yaml.file.rangeAt(start, start + length);
}
