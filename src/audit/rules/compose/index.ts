import type { Rule } from '../rule.js';
import { backendPortRule } from './backend-port.js';
import { buildDockerfileMissingRule } from './build-dockerfile-missing.js';
import { capabilitiesNotDroppedRule } from './capabilities-not-dropped.js';
import { cpuLimitRule } from './cpu-limit.js';
import { dangerousCapabilityRule } from './dangerous-capability.js';
import { databaseUrlTlsRule } from './database-url-tls.js';
import { datastorePortRule } from './datastore-port.js';
import { dockerSocketRule } from './docker-socket.js';
import { healthcheckRule } from './healthcheck.js';
import { hostNamespaceRule } from './host-namespace.js';
import { imageTagRule } from './image-tag.js';
import { internalNetworkRule } from './internal-network.js';
import { loggingLabelsRule } from './logging-labels.js';
import { loggingRotationRule } from './logging-rotation.js';
import { memoryLimitRule } from './memory-limit.js';
import { noNewPrivilegesRule } from './no-new-privileges.js';
import { pidsLimitRule } from './pids-limit.js';
import { portAllInterfacesRule } from './port-all-interfaces.js';
import { postgresAuthRule } from './postgres-auth.js';
import { privilegedRule } from './privileged.js';
import { readOnlyRootRule } from './read-only-root.js';
import { reservationsRule } from './reservations.js';
import { runsAsRootRule } from './runs-as-root.js';
import { sensitiveMountRule } from './sensitive-mount.js';
import { unconfinedProfileRule } from './unconfined-profile.js';

/** Compose rules in id order. */
export const composeRules: Rule[] = [
  privilegedRule,
  dockerSocketRule,
  hostNamespaceRule,
  sensitiveMountRule,
  datastorePortRule,
  backendPortRule,
  portAllInterfacesRule,
  internalNetworkRule,
  memoryLimitRule,
  cpuLimitRule,
  reservationsRule,
  pidsLimitRule,
  healthcheckRule,
  loggingRotationRule,
  loggingLabelsRule,
  runsAsRootRule,
  capabilitiesNotDroppedRule,
  dangerousCapabilityRule,
  noNewPrivilegesRule,
  unconfinedProfileRule,
  readOnlyRootRule,
  imageTagRule,
  databaseUrlTlsRule,
  postgresAuthRule,
  buildDockerfileMissingRule,
];
