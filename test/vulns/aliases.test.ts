import { describe, expect, test } from 'vitest';
import {
  aliasSet,
  canonicalVulnId,
  mergeIds,
  normalizeVulnId,
  sharesMergeId,
} from '../../src/vulns/aliases.js';
import { packageLocation, parseImageReference, versionlessPurl } from '../../src/vulns/identity.js';

describe('aliases', () => {
  test('canonical id prefers CVE over GHSA and distro ids', () => {
    expect(canonicalVulnId(['GHSA-abcd-efgh-ijkl', 'CVE-2021-3807', 'DLA-2424-1'])).toBe(
      'CVE-2021-3807',
    );
    expect(canonicalVulnId(['NSWG-ECO-428', 'GHSA-abcd-efgh-ijkl'])).toBe('GHSA-abcd-efgh-ijkl');
    expect(canonicalVulnId(['RHSA-2023:7836', 'TEMP-0841856-B18BAF'])).toBe('TEMP-0841856-B18BAF');
  });

  test('ids are normalised', () => {
    expect(normalizeVulnId(' cve-2021-1 ')).toBe('CVE-2021-1');
    expect(normalizeVulnId('GHSA-ABCD-efgh-IJKL')).toBe('GHSA-abcd-efgh-ijkl');
    expect(aliasSet(['CVE-1', 'cve-1', '', null, 'GHSA-X'])).toEqual(['CVE-1', 'GHSA-x']);
  });

  test('distribution advisories never merge findings', () => {
    expect(mergeIds(['CVE-2023-1', 'RHSA-2023:7836', 'DSA-4613-1'])).toEqual(['CVE-2023-1']);
    expect(sharesMergeId(['CVE-2023-1', 'RHSA-2023:7836'], ['CVE-2023-2', 'RHSA-2023:7836'])).toBe(
      false,
    );
    expect(sharesMergeId(['GHSA-aaaa'], ['CVE-2023-2', 'GHSA-aaaa'])).toBe(true);
  });
});

describe('package identity', () => {
  test('OS packages are located by package manager', () => {
    expect(packageLocation({ packageType: 'alpine', path: null })).toBe('os:apk');
    expect(packageLocation({ packageType: 'deb', path: '/var/lib/dpkg/status' })).toBe('os:deb');
    expect(packageLocation({ packageType: 'rpm' })).toBe('os:rpm');
  });

  test('language packages keep their path without the version', () => {
    expect(
      packageLocation({ packageType: 'node-pkg', path: '/app/node_modules/a/package.json' }),
    ).toBe('app/node_modules/a/package.json');
    expect(
      packageLocation({
        packageType: 'java-archive',
        installedVersion: '1.11.1',
        path: '/opt/kafka/avro-1.11.1.jar',
      }),
    ).toBe('opt/kafka/avro-{version}.jar');
    expect(packageLocation({ packageType: 'npm', purl: 'pkg:npm/%40scope/a@1.2.3?x=1' })).toBe(
      'pkg:npm/%40scope/a',
    );
  });

  test('versionless PURL and image references', () => {
    expect(versionlessPurl('pkg:deb/debian/libc6@2.28?arch=amd64')).toBe('pkg:deb/debian/libc6');
    expect(parseImageReference('registry:5000/team/api:1.2@sha256:abc')).toEqual({
      repository: 'registry:5000/team/api',
      tag: '1.2',
      digest: 'sha256:abc',
    });
    expect(parseImageReference('registry:5000/team/api').tag).toBeNull();
  });
});
