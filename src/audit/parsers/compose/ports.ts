import type { Location } from '../../../finding/finding.js';
import type { ParseIssue, PortMapping } from '../../model/types.js';
import { isMapping, locationAt, originOf } from './tracked.js';

const PORT_OR_RANGE = /^\d{1,5}(-\d{1,5})?$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Reads a service's `ports`, short syntax (`"127.0.0.1:8080:80/tcp"`, ranges, IPv6) and long. */
export function readPorts(
  name: string,
  service: Record<string, unknown>,
  issues: ParseIssue[],
): PortMapping[] {
  const ports = service.ports;
  if (ports === undefined || ports === null) return [];
  if (!Array.isArray(ports)) {
    issues.push({
      message: `'ports' of service '${name}' must be a list`,
      location: locationAt(originOf(service, 'ports')!),
      help: 'list each port on its own line, as in `- "127.0.0.1:8080:80"`',
    });
    return [];
  }
  const result: PortMapping[] = [];
  ports.forEach((entry, index) => {
    const location = locationAt(originOf(ports, index)!);
    const parsed =
      typeof entry === 'string' || typeof entry === 'number'
        ? parseShortPort(String(entry), location)
        : parseLongPort(entry, location);
    if (typeof parsed === 'string') {
      issues.push({
        message: `invalid port ${index + 1} of service '${name}': ${parsed}`,
        location,
        help: 'write `- "[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]"`, or a mapping with `target`, `published` and `host_ip`',
      });
    } else {
      result.push(parsed);
    }
  });
  return result;
}

/** Parses the short syntax; returns a reason string when the entry is invalid. */
export function parseShortPort(spec: string, location: Location): PortMapping | string {
  let text = spec.trim();
  let protocol = 'tcp';
  const slash = text.lastIndexOf('/');
  if (slash !== -1) {
    protocol = text.slice(slash + 1).toLowerCase();
    text = text.slice(0, slash);
  }
  let hostIp: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1 || text[close + 1] !== ':') return `'${spec}' has an unclosed IPv6 address`;
    hostIp = text.slice(1, close);
    text = text.slice(close + 2);
  }
  const parts = text.split(':');
  let published: string | undefined;
  let target: string;
  if (parts.length === 1) {
    target = parts[0]!;
  } else if (parts.length === 2) {
    [published, target] = parts as [string, string];
  } else if (hostIp === undefined) {
    target = parts.pop()!;
    published = parts.pop()!;
    hostIp = parts.join(':');
  } else {
    return `'${spec}' has too many ':' separators`;
  }
  return checkedPort(spec, { hostIp, published, target, protocol, location });
}

function parseLongPort(entry: unknown, location: Location): PortMapping | string {
  if (!isMapping(entry)) return 'an entry must be a string, a number or a mapping';
  if (entry.target === undefined || entry.target === null) return "the mapping has no 'target'";
  if (typeof entry.target !== 'string' && typeof entry.target !== 'number') {
    return "'target' must be a port number";
  }
  let hostIp = typeof entry.host_ip === 'string' ? entry.host_ip : undefined;
  let published =
    typeof entry.published === 'string' || typeof entry.published === 'number'
      ? String(entry.published)
      : undefined;
  if (published !== undefined && !PORT_OR_RANGE.test(published)) {
    // Some files write the host address into `published`; read it as `host_ip`.
    const colon = published.lastIndexOf(':');
    if (colon !== -1) {
      hostIp ??= published.slice(0, colon).replace(/^\[|\]$/g, '');
      published = published.slice(colon + 1);
    } else if (IPV4.test(published)) {
      hostIp ??= published;
      published = undefined;
    }
  }
  const protocol = typeof entry.protocol === 'string' ? entry.protocol.toLowerCase() : 'tcp';
  return checkedPort(JSON.stringify(entry), {
    hostIp,
    published: published === '' ? undefined : published,
    target: String(entry.target),
    protocol,
    location,
  });
}

function checkedPort(spec: string, port: PortMapping): PortMapping | string {
  if (!PORT_OR_RANGE.test(port.target))
    return `container port '${port.target}' in '${spec}' is not a port or range`;
  if (port.published === '') port.published = undefined;
  if (port.published !== undefined && !PORT_OR_RANGE.test(port.published)) {
    return `host port '${port.published}' in '${spec}' is not a port or range`;
  }
  if (!['tcp', 'udp', 'sctp'].includes(port.protocol))
    return `protocol '${port.protocol}' is not tcp, udp or sctp`;
  if (port.hostIp === undefined || port.hostIp === '') {
    const { hostIp: _unused, ...rest } = port;
    return rest;
  }
  return port;
}
