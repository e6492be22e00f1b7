// Synthetic Trivy SchemaVersion 2 image reports for the console API benchmarks. The output is
// deterministic for a given seed, so every run of a benchmark posts the same bytes.

const SEVERITIES = [
  // [Trivy word, VendorSeverity number, share of the report]
  ['CRITICAL', 4, 0.05],
  ['HIGH', 3, 0.2],
  ['MEDIUM', 2, 0.45],
  ['LOW', 1, 0.25],
  ['UNKNOWN', 0, 0.05],
];

const ECOSYSTEMS = [
  // [Result.Class, Result.Type, share of packages, PURL type]
  ['os-pkgs', 'debian', 0.6, 'deb'],
  ['lang-pkgs', 'node-pkg', 0.25, 'npm'],
  ['lang-pkgs', 'python-pkg', 0.15, 'pypi'],
];

/** Returns a seeded linear congruential generator, because Math.random cannot be seeded. */
function createRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Picks the result of the ecosystem that covers `share` (0 to 1) of the packages. */
function resultFor(results, share) {
  let cumulative = 0;
  for (const result of results) {
    cumulative += result.ecosystem[2];
    if (share < cumulative) return result;
  }
  return results[results.length - 1];
}

function pickSeverity(random) {
  let roll = random();
  for (const entry of SEVERITIES) {
    roll -= entry[2];
    if (roll < 0) return entry;
  }
  return SEVERITIES[SEVERITIES.length - 1];
}

function hex(random, length) {
  let text = '';
  while (text.length < length)
    text += Math.floor(random() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  return text.slice(0, length);
}

function vulnerability(random, { cve, pkg, ecosystem, diffId }) {
  const [word, number] = pickSeverity(random);
  const fixed = random() < 0.7;
  const score = Math.round((1 + number * 2.2 + random()) * 10) / 10;
  const year = cve.split('-')[1];
  return {
    VulnerabilityID: cve,
    PkgID: `${pkg.name}@${pkg.version}`,
    PkgName: pkg.name,
    PkgIdentifier: {
      PURL: `pkg:${ecosystem[3]}/${pkg.name}@${pkg.version}`,
      UID: pkg.uid,
    },
    InstalledVersion: pkg.version,
    ...(fixed ? { FixedVersion: pkg.fixedVersion } : {}),
    Status: fixed ? 'fixed' : 'affected',
    Layer: { DiffID: diffId },
    SeveritySource: 'nvd',
    PrimaryURL: `https://avd.aquasec.com/nvd/${cve.toLowerCase()}`,
    DataSource: {
      ID: ecosystem[1],
      Name: `${ecosystem[1]} advisories`,
      URL: 'https://example.test/',
    },
    Title: `${pkg.name}: ${word.toLowerCase()} flaw in request parsing (${cve})`,
    Description: `A crafted input to ${pkg.name} ${pkg.version} can cause memory corruption or a denial of service; versions from ${pkg.fixedVersion} are not affected.`,
    Severity: word,
    CweIDs: [`CWE-${100 + Math.floor(random() * 800)}`],
    VendorSeverity: { nvd: number, [ecosystem[1]]: number },
    CVSS: {
      nvd: {
        V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        V3Score: Math.min(score, 10),
      },
    },
    References: [
      `https://nvd.nist.gov/vuln/detail/${cve}`,
      `https://www.cve.org/CVERecord?id=${cve}`,
    ],
    PublishedDate: `${year}-03-14T10:15:07.753Z`,
    LastModifiedDate: `${year}-09-01T03:39:10.25Z`,
  };
}

/**
 * Builds a Trivy report of `vulnerabilityCount` entries: `packageCount` packages with the same
 * number of vulnerabilities each, where every CVE id affects two packages, so every
 * (CVE, package) pair is distinct and becomes one finding.
 */
export function buildTrivyReport({
  vulnerabilityCount = 10_000,
  packageCount = 1000,
  image = 'bench/app',
  createdAt = '2026-01-01T00:00:00Z',
  seed = 1,
} = {}) {
  const random = createRandom(seed);
  const perPackage = Math.ceil(vulnerabilityCount / packageCount);
  const cveCount = Math.ceil(vulnerabilityCount / 2);
  const diffIds = Array.from({ length: 6 }, () => `sha256:${hex(random, 64)}`);
  const results = ECOSYSTEMS.map((ecosystem) => ({ ecosystem, vulnerabilities: [] }));
  let written = 0;
  for (let index = 0; index < packageCount && written < vulnerabilityCount; index++) {
    const result = resultFor(results, index / packageCount);
    const minor = index % 17;
    const pkg = {
      name: `${result.ecosystem[1].replace('-pkg', '')}-lib${String(index).padStart(4, '0')}`,
      version: `1.${minor}.${index % 9}`,
      fixedVersion: `1.${minor}.${(index % 9) + 1}`,
      uid: hex(random, 16),
    };
    for (let slot = 0; slot < perPackage && written < vulnerabilityCount; slot++) {
      const number = (index * perPackage + slot) % cveCount;
      const cve = `CVE-${2018 + (number % 8)}-${String(10_000 + number).padStart(5, '0')}`;
      const diffId = diffIds[index % diffIds.length];
      result.vulnerabilities.push(
        vulnerability(random, { cve, pkg, ecosystem: result.ecosystem, diffId }),
      );
      written += 1;
    }
  }
  return {
    SchemaVersion: 2,
    CreatedAt: createdAt,
    ArtifactName: `${image}:1.0.0`,
    ArtifactType: 'container_image',
    Metadata: {
      OS: { Family: 'debian', Name: '12.5' },
      ImageID: `sha256:${hex(random, 64)}`,
      DiffIDs: diffIds,
      RepoTags: [`${image}:1.0.0`],
      RepoDigests: [`${image}@sha256:${hex(random, 64)}`],
    },
    Results: results.map(({ ecosystem, vulnerabilities }) => ({
      Target:
        ecosystem[0] === 'os-pkgs' ? `${image}:1.0.0 (debian 12.5)` : `${ecosystem[1]} packages`,
      Class: ecosystem[0],
      Type: ecosystem[1],
      Vulnerabilities: vulnerabilities,
    })),
  };
}

/** Counts the report's entries by Trivy severity word. */
export function countSeverities(report) {
  const counts = {};
  for (const result of report.Results) {
    for (const vuln of result.Vulnerabilities)
      counts[vuln.Severity] = (counts[vuln.Severity] ?? 0) + 1;
  }
  return counts;
}
