import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { makeRepo, runCli } from './run-cli.js';

const SCHEMA = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'schema', 'audit-report.v1.json'), 'utf8'),
);
const MULTITOOL = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'sarif-multitool');

/** A repository with findings of several severities, a parse error and a suppression. */
function sampleRepo(): string {
  return makeRepo({
    Dockerfile: 'FROM node:latest\nRUN npm install\nCMD ["node", "server.js"]\n',
    'compose.yaml': [
      'services:',
      '  api:',
      '    build: .',
      '    ports:',
      '      - "8080:8080"',
      '  db:',
      '    image: postgres:16.4',
      '    # infraprime-ignore DC004 local development only',
      '    ports:',
      '      - "5432:5432"',
      '',
    ].join('\n'),
    'broken/compose.yaml': 'services:\n  web: [\n',
  });
}

describe('output formats', () => {
  it('json output matches the published schema', () => {
    const result = runCli(['audit', sampleRepo(), '--format', 'json']);
    const report = JSON.parse(result.stdout);
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const valid = ajv.validate(SCHEMA, report);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(result.status).toBe(1);
  });

  it('sarif output passes the SARIF Multitool validator', () => {
    const result = runCli(['audit', sampleRepo(), '--format', 'sarif']);
    const log = JSON.parse(result.stdout);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].tool.driver.rules.length).toBeGreaterThan(0);
    for (const rule of log.runs[0].tool.driver.rules) {
      expect(rule.properties['security-severity']).toMatch(/^\d+\.\d$/);
      expect(rule.help.text.length).toBeGreaterThan(0);
    }
    const file = join(makeRepo({}), 'audit.sarif');
    writeFileSync(file, result.stdout);
    let output = '';
    try {
      output = execFileSync(MULTITOOL, ['validate', file], { encoding: 'utf8' });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    expect(output).not.toMatch(/: error /);
    expect(output).toContain('Analysis completed successfully');
  });

  // The Multitool's validate command does not check the SARIF schema (it accepts an unknown
  // level or a ruleIndex past the rules), so the fields code scanning reads are checked here.
  it('sarif results point at their rules and valid regions', () => {
    const log = JSON.parse(runCli(['audit', sampleRepo(), '--format', 'sarif']).stdout);
    const run = log.runs[0];
    const rules = run.tool.driver.rules as Array<{ id: string }>;
    expect(run.results.length).toBeGreaterThan(0);
    for (const result of run.results) {
      expect(rules[result.ruleIndex]?.id).toBe(result.ruleId);
      expect(['none', 'note', 'warning', 'error']).toContain(result.level);
      expect(result.message.text.length).toBeGreaterThan(0);
      for (const location of result.locations ?? []) {
        const physical = location.physicalLocation;
        expect(physical.artifactLocation.uri).not.toMatch(/^\/|^[a-z]+:/i);
        expect(physical.region.startLine).toBeGreaterThanOrEqual(1);
        expect(physical.region.startColumn).toBeGreaterThanOrEqual(1);
        expect(physical.region.endLine).toBeGreaterThanOrEqual(physical.region.startLine);
      }
    }
  });

  it('junit output counts one failure per finding', () => {
    const json = JSON.parse(runCli(['audit', sampleRepo(), '--format', 'json']).stdout);
    const active = json.findings.filter((f: { suppression?: unknown }) => !f.suppression).length;
    const xml = runCli(['audit', sampleRepo(), '--format', 'junit']).stdout;
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml).toContain(`failures="${active}"`);
    expect((xml.match(/<failure /g) ?? []).length).toBe(active);
  });

  it('text output prints one line per finding when not a terminal', () => {
    const result = runCli(['audit', sampleRepo()]);
    const lines = result.stdout.trimEnd().split('\n');
    const summary = lines.pop()!;
    expect(summary).toMatch(/^\d+ findings? .*; \d+ files audited in \d+ ms$/);
    for (const line of lines)
      expect(line).toMatch(
        /^[\w./-]+:\d+:\d+ {2}[A-Z]{2}\d{3} {2}(info|low|medium|high|critical) {2}\S/,
      );
    expect(result.stdout).not.toContain('\u001b[');
  });

  it('escapes control characters in text output', () => {
    const root = makeRepo({
      'compose.yaml': 'services:\n  "web\\e[2J\\u202Eevil":\n    image: nginx\n',
      'odd\nname/Dockerfile': 'FROM node\n',
    });
    const result = runCli(['audit', root]);
    expect(result.stdout).not.toContain('\u001b');
    expect(result.stdout).not.toContain('\u202e');
    expect(result.stdout).toContain("service 'web\\u001b[2J\\u202eevil'");
    expect(result.stdout).toContain('odd\\u000aname/Dockerfile:1:');
    const lines = result.stdout.trimEnd().split('\n');
    for (const line of lines.slice(0, -1)) expect(line).toMatch(/^\S+:\d+:\d+ {2}[A-Z]{2}\d{3} /);
  });

  it('keeps line breaks in junit attributes', () => {
    const root = makeRepo({ 'odd\nname/Dockerfile': 'FROM node\n' });
    const xml = runCli(['audit', root, '--format', 'junit']).stdout;
    expect(xml).toContain('file="odd&#10;name/Dockerfile"');
    expect(xml).not.toMatch(/="[^"]*\n[^"]*"/);
  });

  it('writes the report to --output', () => {
    const out = join(makeRepo({}), 'report.json');
    const result = runCli(['audit', sampleRepo(), '--format', 'json', '--output', out]);
    expect(result.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).schemaVersion).toBe('1.0.0');
  });

  it('rejects an unknown format with exit 2', () => {
    const result = runCli(['audit', sampleRepo(), '--format', 'xml']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown format 'xml'");
  });

  it('rejects an unknown severity with exit 2', () => {
    const result = runCli(['audit', sampleRepo(), '--fail-on', 'severe']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("unknown severity 'severe'");
  });
});
