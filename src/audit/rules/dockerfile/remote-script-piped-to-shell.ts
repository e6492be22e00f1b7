import type { Dockerfile, DockerInstruction } from '../../model/types.js';
import { defineRule, type Report } from '../rule.js';
import { commandText, type RunCommand, runCommands } from './commands.js';

const DOWNLOADERS = new Set(['curl', 'wget']);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'mksh']);
const INTERPRETERS = /^(python(\d+(\.\d+)?)?|perl|ruby|node|php)$/;
/** The text of a `sh -c "$(curl ...)"` script, which runs the downloaded output. */
const SUBSTITUTED_DOWNLOAD = /^(\$\(|`)\s*(curl|wget)\b/;

export const remoteScriptPipedToShellRule = defineRule({
  id: 'DF014',
  name: 'remote-script-piped-to-shell',
  title: 'Downloaded script is run without verification',
  severity: 'medium',
  layer: 'container',
  target: 'dockerfile',
  control: 'container.build-integrity',
  status: 'stable',
  rationale:
    '`curl ... | sh` runs whatever the server returns at build time, with the privileges of the build step, which is ' +
    'usually root. Nothing pins or checks that content, so a compromised download host, a hijacked domain or a ' +
    'changed installer silently changes every image built afterwards, and a dropped connection can run half a ' +
    'script.',
  fix:
    'Install the tool from the distribution package manager, or download a pinned release to a file, verify its ' +
    'checksum (`echo "<sha256>  install.sh" | sha256sum -c -`) and then run it. `ADD --checksum=sha256:<digest> <url>` ' +
    'does the download and the check in one instruction.',
  limitations: [
    'Pipelines from `curl` or `wget` into a shell or into `python`, `perl`, `ruby`, `node` or `php` reading standard ' +
      'input are reported, as is `sh -c "$(curl ...)"`.',
    'A script that is downloaded to a file and run in a later command is not reported, whether or not it is verified.',
  ],
  references: [
    'https://docs.docker.com/reference/dockerfile/#add---checksum',
    'https://docs.docker.com/build/building/best-practices/#using-pipes',
  ],
  check(model, report) {
    for (const dockerfile of model.dockerfiles) {
      for (const instruction of dockerfile.instructions) {
        for (const finding of pipedScripts(dockerfile, instruction)) report(finding);
      }
    }
  },
});

function pipedScripts(dockerfile: Dockerfile, instruction: DockerInstruction): Report[] {
  const reports: Report[] = [];
  const commands = runCommands(dockerfile, instruction);
  commands.forEach((command, index) => {
    const substituted = SUBSTITUTED_DOWNLOAD.exec(commandText(dockerfile, command));
    if (substituted) {
      reports.push(
        finding(dockerfile, instruction, command, command, substituted[2]!, 'the shell'),
      );
      return;
    }
    if (!readsScriptFromStdin(command)) return;
    const download = commands
      .slice(0, index)
      .find((earlier) => earlier.pipeline === command.pipeline && DOWNLOADERS.has(earlier.name));
    if (!download) return;
    reports.push(
      finding(dockerfile, instruction, download, command, download.name, `\`${command.name}\``),
    );
  });
  return reports;
}

/** Builds the report for a download that runs from `first` to `last`, both commands of one `RUN`. */
function finding(
  dockerfile: Dockerfile,
  instruction: DockerInstruction,
  first: RunCommand,
  last: RunCommand,
  downloader: string,
  runner: string,
): Report {
  const text = dockerfile.file.text.slice(first.start, last.end).replace(/\\\r?\n\s*/g, ' ');
  return {
    message: `The output of \`${downloader}\` is run by ${runner} without any check of what was downloaded.`,
    location: dockerfile.file.rangeAt(first.start, last.end),
    key: `stage ${instruction.stage}: ${text}`,
    evidence: text,
  };
}

/** True for a shell or interpreter that reads its program from standard input. */
function readsScriptFromStdin(command: RunCommand): boolean {
  if (SHELLS.has(command.name)) {
    for (const arg of command.args) {
      if (arg === '--' || arg === '-s') return true;
      if (!arg.startsWith('-')) return false;
    }
    return true;
  }
  if (!INTERPRETERS.test(command.name)) return false;
  const program = command.args.find((arg) => !arg.startsWith('-') || arg === '-');
  return program === undefined || program === '-';
}
