import type { ComposeService, DatastoreKind, ImageRef } from './types.js';

const PROXY_IMAGES = /(^|\/)(nginx|nginx-unprivileged|openresty|angie|tengine)$/;
/** Reverse proxies outside the nginx family; their configuration is not parsed. */
const OTHER_PROXY_IMAGES =
  /(^|\/)(traefik|caddy|haproxy|envoy|nginx-proxy|nginx-proxy-manager|swag)$/;

const DATASTORE_IMAGES: Array<[RegExp, DatastoreKind]> = [
  [/(^|\/)(postgres|postgis|postgresql|pgvector|timescaledb(-ha)?|supabase-postgres)$/, 'postgres'],
  [/(^|\/)(mysql|mysql-server|percona(-server)?)$/, 'mysql'],
  [/(^|\/)mariadb$/, 'mariadb'],
  [/(^|\/)(mongo|mongodb|mongodb-community-server)$/, 'mongodb'],
  [/(^|\/)(redis|redis-stack(-server)?|redismod|rejson|redisearch|valkey|keydb)$/, 'redis'],
  [/(^|\/)memcached$/, 'memcached'],
  [/(^|\/)(elasticsearch|opensearch)$/, 'elasticsearch'],
  [/(^|\/)mssql\/server$|(^|\/)azure-sql-edge$/, 'mssql'],
  [/(^|\/)cassandra$/, 'cassandra'],
  [/(^|\/)rabbitmq$/, 'rabbitmq'],
  [/(^|\/)(kafka|cp-kafka|redpanda)$/, 'kafka'],
  [/(^|\/)(zookeeper|cp-zookeeper)$/, 'zookeeper'],
  [/(^|\/)influxdb$/, 'influxdb'],
  [/(^|\/)couchdb$/, 'couchdb'],
  [/(^|\/)neo4j$/, 'neo4j'],
];

/** Recognizes a data store from an image repository such as `library/postgres`. */
export function datastoreOfImage(image: ImageRef | undefined): DatastoreKind | undefined {
  if (!image) return undefined;
  const repository = image.repository.toLowerCase();
  for (const [pattern, kind] of DATASTORE_IMAGES) {
    if (pattern.test(repository)) return kind;
  }
  return undefined;
}

/** True for an nginx-family image, whose configuration the model parses. */
export function isProxyImage(image: ImageRef | undefined): boolean {
  return image !== undefined && PROXY_IMAGES.test(image.repository.toLowerCase());
}

/** True for any reverse-proxy image: the nginx family, Traefik, Caddy, HAProxy and Envoy. */
export function isReverseProxyImage(image: ImageRef | undefined): boolean {
  if (image === undefined) return false;
  return isProxyImage(image) || OTHER_PROXY_IMAGES.test(image.repository.toLowerCase());
}

/** The image a service runs: its `image:`, else the base of its Dockerfile's build stage. */
export function effectiveImage(service: ComposeService): ImageRef | undefined {
  if (service.dockerfile) {
    const stages = service.dockerfile.stages;
    let stage = stages[service.stageIndex ?? stages.length - 1];
    const seen = new Set<number>();
    while (stage && stage.baseStage !== undefined && !seen.has(stage.index)) {
      seen.add(stage.index);
      stage = stages[stage.baseStage];
    }
    if (stage?.image) return stage.image;
  }
  return service.image;
}

/**
 * Assigns each service its role. Data stores are recognized by image; the ingress proxy is a
 * reverse-proxy image, or failing that a service with nginx configuration mounted into it.
 */
export function assignRoles(
  services: ComposeService[],
  hasNginxMount: (s: ComposeService) => boolean,
): void {
  for (const service of services) {
    const image = effectiveImage(service);
    const datastore = datastoreOfImage(image) ?? datastoreOfImage(service.image);
    if (datastore) {
      service.datastore = datastore;
      service.role = 'datastore';
    } else if (
      isReverseProxyImage(image) ||
      isReverseProxyImage(service.image) ||
      hasNginxMount(service)
    ) {
      service.role = 'proxy';
    } else {
      service.role = 'application';
    }
  }
}
