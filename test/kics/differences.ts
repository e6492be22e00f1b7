import type { Disagreement } from './agreement.js';

/**
 * A disagreement with KICS's labels that InfraPrime keeps on purpose. Each case is written as
 * `missed FILE:LINE`, `shifted FILE:LINE>AT` (InfraPrime reports line AT of the same element),
 * `extra FILE:LINE` (a finding at an unlabelled line of a positive sample) or `dirty FILE:LINE`
 * (a finding in a negative sample).
 */
export interface KnownDifference {
  query: string;
  /** What InfraPrime does differently, short enough for a test name. */
  title: string;
  reason: string;
  cases: string[];
  /** Rules to measure the cases with, in place of the query's mapped rules. */
  rules?: string[];
}

export const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    query: 'dockerCompose/container_capabilities_unrestricted',
    title: 'DC018 reports the added capability, not the cap_add key',
    reason:
      'The finding names the capability, so it points at the list entry that adds it. KICS ' +
      'points at the `cap_add` key above it.',
    cases: [
      'shifted positive1.yaml:13>14',
      'shifted positive2.yaml:13>14',
      'shifted positive3.yaml:13>14',
    ],
  },
  {
    query: 'dockerCompose/container_capabilities_unrestricted',
    title: 'DC017 reports a cap_drop that does not drop ALL',
    reason:
      'Dropping one capability leaves the other defaults in place. KICS accepts any `cap_drop`, ' +
      'but DC017 asks for `ALL` with the needed ones added back.',
    cases: ['extra positive2.yaml:15'],
  },
  {
    query: 'dockerCompose/container_traffic_not_bound_to_host_interface',
    title: 'DC007 reports the port entry, not the ports key',
    reason:
      'A service can publish several ports on different interfaces, so each finding points at ' +
      'the entry that lacks a host address. KICS points at the `ports` key.',
    cases: [
      'shifted positive1.yaml:11>12',
      'shifted positive2.yaml:11>12',
      'shifted positive3.yaml:11>12',
    ],
  },
  {
    query: 'dockerCompose/cpus_not_limited',
    title: 'DC010 reports an empty deploy key once',
    reason:
      'A service whose `deploy` key has no value has one missing CPU limit. KICS reports it ' +
      'twice, at the service and at `deploy`, and DC010 once, at `deploy`.',
    cases: ['missed positive3.yaml:3'],
  },
  {
    query: 'dockerCompose/healthcheck_not_set',
    title: 'DC013 reports a healthcheck with only a test',
    reason:
      'Without `interval`, `timeout`, `retries` and `start_period` Docker applies defaults that ' +
      'hide a hung service for minutes or mark a slow starter as failed. KICS accepts any ' +
      '`healthcheck` that is not disabled.',
    cases: ['dirty negative2.yaml:13'],
  },
  {
    query: 'dockerCompose/networks_not_set',
    title: 'DC008 reports a service on a network that is not internal',
    reason:
      'A plain network still routes to the outside. KICS accepts any `networks` entry, but ' +
      'DC008 asks backends and data stores to be on an `internal: true` network.',
    cases: ['dirty negative1.yaml:9', 'extra positive2.yaml:10'],
  },
  {
    query: 'dockerCompose/no_new_privileges_not_set',
    title: 'DC019 reports the entry that turns the flag off',
    reason:
      'When `security_opt` sets `no-new-privileges:false`, the finding points at that entry. ' +
      'KICS points at the `security_opt` key above it.',
    cases: ['shifted positive1.yaml:12>13'],
  },
  {
    query: 'dockerCompose/volume_has_sensitive_host_directory',
    title: 'DC004 does not treat /var/data as sensitive',
    reason:
      'DC004 reports folders that hold host credentials, devices or other containers’ data, such ' +
      'as `/etc`, `/var/run` and `/var/lib`, and `/var/data` is not one of them. This sample also ' +
      'maps `services` to an entry that is not a mapping, which InfraPrime reports as IP001.',
    cases: ['missed positive3.yaml:14'],
  },
  {
    query: 'dockerfile/apt_get_install_lists_were_not_deleted',
    title: 'DF008 skips stages that are not shipped',
    reason:
      'Only the last stage of these samples becomes an image, and a builder stage’s package ' +
      'lists never reach it. KICS checks every stage.',
    cases: [
      'missed positive.dockerfile:2',
      'missed positive.dockerfile:5',
      'missed positive.dockerfile:8',
      'missed positive3.dockerfile:2',
      'missed positive3.dockerfile:5',
      'missed positive3.dockerfile:8',
    ],
  },
  {
    query: 'dockerfile/apt_get_install_lists_were_not_deleted',
    title: 'DF008 reports the apt-get update command, not the RUN line',
    reason:
      'In a `RUN` that spans several lines the finding points at the `apt-get update` that ' +
      'downloads the lists. KICS points at the first line of the `RUN`.',
    cases: ['shifted positive2.dockerfile:2>3'],
  },
  {
    query: 'dockerfile/chown_flag_exists',
    title: 'DF006 asks for the --chown that KICS reports',
    reason:
      'Files that `COPY` creates belong to root unless `--chown` gives them to the user the ' +
      'image runs as, and that user then cannot write its own uploads, caches or logs. DF006 ' +
      'therefore reports the negative samples, which copy without `--chown` and then switch to ' +
      '`USER patrick`, and accepts the labelled `COPY --chown=patrick:patrick` lines.',
    rules: ['DF006'],
    cases: [
      'missed positive.dockerfile:4',
      'missed positive2.dockerfile:4',
      'dirty negative1.dockerfile:4',
      'dirty negative2.dockerfile:4',
    ],
  },
  {
    query: 'dockerfile/image_version_not_explicit',
    title: 'DF001 reports FROM with an ARG declared after the first FROM',
    reason:
      'Docker substitutes into `FROM` only the `ARG`s declared before the first `FROM`, so the ' +
      'default `alpine:3.12` of a later `ARG` never applies. DF001 reports the image as ' +
      'unverifiable, at `info` severity, while KICS labels these samples negative.',
    cases: ['dirty negative1.dockerfile:10', 'dirty negative5.dockerfile:10'],
  },
  {
    query: 'dockerfile/missing_user_instruction',
    title: 'DF004 reports FROM scratch without USER',
    reason:
      'An image built from `scratch` with no `USER` runs its process as UID 0. KICS labels ' +
      'these samples, whose last stage is such an image, negative.',
    cases: ['dirty negative.dockerfile:9', 'dirty negative4.dockerfile:9'],
  },
];

/** Formats a disagreement in the notation of `KnownDifference.cases`. */
export function caseOf(disagreement: Disagreement): string {
  const at = disagreement.kind === 'shifted' ? `>${disagreement.at}` : '';
  return `${disagreement.kind} ${disagreement.file}:${disagreement.line}${at}`;
}
