/**
 * InfraPrime rules that implement the control of a KICS query. A query with no rules gives the
 * reason in `reason`, and `note` states how the mapped rules differ from the query.
 */
export interface QueryMapping {
  rules: string[];
  note?: string;
  reason?: string;
}

export const KICS_MAPPING: Record<string, QueryMapping> = {
  'dockerCompose/container_capabilities_unrestricted': {
    rules: ['DC017', 'DC018'],
    note:
      'KICS reports any `cap_add` and a service without `cap_drop`. DC018 reports only added ' +
      'capabilities that allow a container escape, and DC017 reports a service that does not ' +
      'drop `ALL`.',
  },
  'dockerCompose/container_traffic_not_bound_to_host_interface': {
    rules: ['DC007'],
  },
  'dockerCompose/cpus_not_limited': {
    rules: ['DC010'],
  },
  'dockerCompose/default_seccomp_profile_disabled': {
    rules: ['DC020'],
  },
  'dockerCompose/docker_socket_mounted_in_container': {
    rules: ['DC002'],
  },
  'dockerCompose/healthcheck_not_set': {
    rules: ['DC013'],
  },
  'dockerCompose/host_namespace_is_shared': {
    rules: ['DC003'],
  },
  'dockerCompose/memory_not_limited': {
    rules: ['DC009'],
  },
  'dockerCompose/networks_not_set': {
    rules: ['DC008'],
  },
  'dockerCompose/no_new_privileges_not_set': {
    rules: ['DC019'],
  },
  'dockerCompose/pids_limit_not_set': {
    rules: ['DC012'],
  },
  'dockerCompose/privileged_containers_enabled': {
    rules: ['DC001'],
  },
  'dockerCompose/privileged_ports_mapped_in_container': {
    rules: [],
    reason:
      'No rule judges the port number. DC006 and DC007 report which services publish ports and ' +
      'on which interface, whatever the number, and binding a host port below 1024 needs root ' +
      'in the Docker daemon, not in the container.',
  },
  'dockerCompose/shared_host_network_namespace': {
    rules: ['DC003'],
  },
  'dockerCompose/volume_has_sensitive_host_directory': {
    rules: ['DC004'],
  },
  'dockerfile/add_instead_of_copy': {
    rules: ['DF013'],
  },
  'dockerfile/apt_get_install_lists_were_not_deleted': {
    rules: ['DF008'],
    note: 'DF008 checks only the stages that end up in a shipped image.',
  },
  'dockerfile/apt_get_not_avoiding_additional_packages': {
    rules: ['DF007'],
    note: 'DF007 checks only the stages that end up in a shipped image.',
  },
  'dockerfile/chown_flag_exists': {
    rules: [],
    reason:
      'InfraPrime asks for the opposite: DF006 reports application files that are not owned by ' +
      'the user the image runs as, and `COPY --chown` is its fix.',
  },
  'dockerfile/curl_or_wget_instead_of_add': {
    rules: ['DF021'],
    note:
      'KICS asks for `curl` or `wget` in place of any `ADD` of a URL. DF021 reports such an ' +
      '`ADD` only when it has no `--checksum`, because a checked download cannot change unnoticed.',
  },
  'dockerfile/healthcheck_instruction_missing': {
    rules: ['DF015'],
  },
  'dockerfile/image_version_not_explicit': {
    rules: ['DF001'],
  },
  'dockerfile/image_version_using_latest': {
    rules: ['DF001'],
  },
  'dockerfile/last_user_is_root': {
    rules: ['DF004'],
  },
  'dockerfile/missing_user_instruction': {
    rules: ['DF004'],
  },
  'dockerfile/multiple_cmd_instructions_listed': {
    rules: ['DF016'],
  },
  'dockerfile/run_using_sudo': {
    rules: ['DF020'],
  },
  'dockerfile/run_utilities_and_posix_commands': {
    rules: [],
    reason: 'No Dockerfile rule reports interactive utilities such as `top` or `ps` in `RUN`.',
  },
  'dockerfile/secrets_stored_in_dockerfile': {
    rules: ['DF011', 'SC004'],
  },
  'dockerfile/unix_ports_out_of_range': {
    rules: ['IP001'],
    note: 'InfraPrime reports a port above 65535 in `EXPOSE` as a parse error of the Dockerfile.',
  },
};

/**
 * Dockerfile and compose rules that match none of the KICS queries in the corpus, with the topic
 * they check. A newly registered Dockerfile or compose rule must be added to a query above or
 * to this list.
 */
export const RULES_WITHOUT_KICS_QUERY: Record<string, string> = {
  DC005: 'published data-store ports',
  DC006: 'ports published by services other than the reverse proxy',
  DC011: 'resource reservations',
  DC014: 'log rotation',
  DC015: 'log labels',
  DC016: 'the user a compose service runs as',
  DC021: 'a read-only root filesystem',
  DC022: 'compose image tags',
  DC023: 'TLS in database and cache URLs',
  DC024: 'PostgreSQL authentication settings',
  DC025: 'Dockerfiles a compose service builds from that are missing',
  DF002: 'base images pinned by digest',
  DF003: 'minimal base image variants',
  DF005: 'build toolchains in the shipped image',
  DF006: 'ownership of application files (chown_flag_exists asks the opposite)',
  DF009: 'the apk package cache',
  DF010: 'the pip download cache',
  DF012: 'secret files copied into the image',
  DF014: 'downloaded scripts piped to a shell',
  DF017: '`npm install` in place of `npm ci`',
  DF018: 'npm devDependencies in the shipped image',
  DF019: "npm's deprecated `--production` option",
};
