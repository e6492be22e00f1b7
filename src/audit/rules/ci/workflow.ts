import type { Location } from '../../../finding/finding.js';
import type { DeploymentModel, YamlFile } from '../../model/types.js';

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isGithubWorkflow(yaml: YamlFile): boolean {
  return /(^|\/)\.github\/workflows\/[^/]+$/.test(yaml.file.path);
}

export function isGitlabCi(yaml: YamlFile): boolean {
  return /(^|\/)\.gitlab-ci\.ya?ml$/.test(yaml.file.path);
}

/** One GitHub Actions step, or one GitLab job, with the shell text it runs. */
export interface CiStep {
  yaml: YamlFile;
  /** Value path of the step (`jobs.build.steps.2`) or of the GitLab job. */
  path: Array<string | number>;
  job: string;
  /** `uses:` of a GitHub step. */
  uses?: string;
  /** `with:` inputs of a GitHub step. */
  inputs: Record<string, unknown>;
  /** Shell commands: a GitHub `run:` or the GitLab `before_script`, `script` and `after_script`. */
  script: string;
  env: Record<string, unknown>;
  /** True when a failure of the step or job does not fail the pipeline. */
  allowedToFail: boolean;
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

function scriptText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(scriptText).join('\n');
  return '';
}

function githubSteps(yaml: YamlFile): CiStep[] {
  const root = yaml.documents[0];
  const jobs = isMapping(root) && isMapping(root.jobs) ? root.jobs : {};
  const steps: CiStep[] = [];
  for (const [job, config] of Object.entries(jobs)) {
    if (!isMapping(config) || !Array.isArray(config.steps)) continue;
    const jobContinues = config['continue-on-error'] === true;
    config.steps.forEach((step, index) => {
      if (!isMapping(step)) return;
      steps.push({
        yaml,
        path: ['jobs', job, 'steps', index],
        job,
        ...(typeof step.uses === 'string' ? { uses: step.uses } : {}),
        inputs: isMapping(step.with) ? step.with : {},
        script: typeof step.run === 'string' ? step.run : '',
        env: isMapping(step.env) ? step.env : {},
        allowedToFail: jobContinues || step['continue-on-error'] === true,
      });
    });
  }
  return steps;
}

function gitlabJobs(yaml: YamlFile): CiStep[] {
  const root = yaml.documents[0];
  if (!isMapping(root)) return [];
  const steps: CiStep[] = [];
  for (const [job, config] of Object.entries(root)) {
    if (GITLAB_RESERVED.has(job) || job.startsWith('.') || !isMapping(config)) continue;
    const script = ['before_script', 'script', 'after_script'].map((key) => scriptText(config[key])).join('\n');
    const allowFailure = config.allow_failure === true || isMapping(config.allow_failure);
    steps.push({
      yaml,
      path: [job],
      job,
      inputs: {},
      script,
      env: isMapping(config.variables) ? config.variables : {},
      allowedToFail: allowFailure,
    });
  }
  return steps;
}

/** Lists the steps of every CI file in the model. */
export function ciSteps(model: DeploymentModel): CiStep[] {
  return model.workflows.flatMap((yaml) =>
    isGithubWorkflow(yaml) ? githubSteps(yaml) : isGitlabCi(yaml) ? gitlabJobs(yaml) : [],
  );
}

export function stepLocation(step: CiStep, field?: string): Location {
  const path = field ? [...step.path, field] : step.path;
  return step.yaml.locate(path) ?? step.yaml.locate(step.path) ?? step.yaml.file.fileStart();
}

/** The action name of a `uses:` value, lower-cased and without its version: `docker/build-push-action`. */
export function actionName(uses: string | undefined): string {
  return (uses ?? '').split('@')[0]!.toLowerCase();
}

const BUILD_COMMAND =
  /\b(docker(?:\s+buildx)?\s+(?:image\s+)?build|docker[\s-]compose\s+(?:[^\n]*\s)?build|buildah\s+(?:bud|build)|podman\s+build|\/kaniko\/executor|nerdctl\s+build)\b/;

/** True when the step builds a container image. */
export function buildsImage(step: CiStep): boolean {
  const action = actionName(step.uses);
  if (action === 'docker/build-push-action' || action === 'docker/bake-action') return true;
  if (action.startsWith('redhat-actions/buildah-build')) return true;
  return BUILD_COMMAND.test(step.script);
}

/** Scanner invocations in a step: Trivy or Grype, by action or by command. */
export type ScanKind = 'trivy-action' | 'grype-action' | 'trivy-command' | 'grype-command' | 'gitlab-template';

export function scanKindOf(step: CiStep): ScanKind | undefined {
  const action = actionName(step.uses);
  if (action === 'aquasecurity/trivy-action') return 'trivy-action';
  if (action === 'anchore/scan-action') return 'grype-action';
  if (/(^|[\s/;|&(])trivy(\s+(image|fs|rootfs|repo|config|filesystem|repository))?\s/m.test(step.script)) {
    return 'trivy-command';
  }
  if (/aquasec\/trivy/.test(step.script)) return 'trivy-command';
  if (/(^|[\s/;|&(])grype\s/m.test(step.script) || /anchore\/grype/.test(step.script)) return 'grype-command';
  return undefined;
}

/** True when `.gitlab-ci.yml` includes GitLab's container-scanning template (Trivy-based). */
export function includesGitlabContainerScanning(yaml: YamlFile): boolean {
  const root = yaml.documents[0];
  if (!isMapping(root)) return false;
  const include = Array.isArray(root.include) ? root.include : [root.include];
  return include.some((entry) => {
    const template = isMapping(entry) ? entry.template : entry;
    return typeof template === 'string' && /Container-Scanning/i.test(template);
  });
}
