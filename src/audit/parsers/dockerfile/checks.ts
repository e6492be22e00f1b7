import type { DockerInstruction, ParseIssue } from '../../model/types.js';
import type { SourceFile } from '../../source.js';
import { detailOf } from './detail.js';

const KEYWORDS = new Set([
  'ADD',
  'ARG',
  'CMD',
  'COPY',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'FROM',
  'HEALTHCHECK',
  'LABEL',
  'MAINTAINER',
  'ONBUILD',
  'RUN',
  'SHELL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

const PORT = /^(\d+)(?:-(\d+))?(?:\/([A-Za-z]+))?$/;
const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

/** Reports instructions that Docker rejects: unknown keywords, open heredocs, bad ports. */
export function checkInstructions(
  instructions: DockerInstruction[],
  file: SourceFile,
  issues: ParseIssue[],
): void {
  for (const instruction of instructions) {
    if (!KEYWORDS.has(instruction.keyword)) {
      issues.push({
        message: `unknown instruction \`${instruction.keyword}\``,
        location: instruction.location,
        help: 'check the spelling, or end the previous line with the escape character if this line continues it',
      });
      continue;
    }
    checkHeredocs(instruction, file, issues);
    if (instruction.keyword === 'EXPOSE') checkPorts(instruction, issues);
    if (instruction.keyword === 'USER' && instruction.args.length === 0) {
      issues.push({
        message: '`USER` has no user',
        location: instruction.location,
        help: 'name the user or UID, such as `USER 10001` or `USER app:app`',
      });
    }
  }
}

function checkHeredocs(
  instruction: DockerInstruction,
  file: SourceFile,
  issues: ParseIssue[],
): void {
  for (const heredoc of detailOf(instruction).heredocs) {
    if (heredoc.closed) continue;
    issues.push({
      message: `heredoc \`${heredoc.delimiter}\` of \`${instruction.keyword}\` is never closed`,
      location: file.lineAt(instruction.location.startLine),
      help: `close the heredoc with \`${heredoc.delimiter}\` on a line of its own`,
    });
  }
}

function checkPorts(instruction: DockerInstruction, issues: ParseIssue[]): void {
  for (const port of instruction.args) {
    if (port.includes('$')) continue;
    const match = PORT.exec(port);
    const numbers = match ? [match[1], match[2]].filter((n) => n !== undefined).map(Number) : [];
    const protocol = match?.[3]?.toLowerCase();
    const valid =
      match !== null &&
      numbers.every((n) => n <= 65535) &&
      (protocol === undefined || PROTOCOLS.has(protocol));
    if (valid) continue;
    issues.push({
      message: `\`EXPOSE\` port \`${port}\` is not a valid port`,
      location: instruction.argLocation,
      help: 'write a port from 0 to 65535, optionally with a range and `/tcp`, `/udp` or `/sctp`',
    });
  }
}
