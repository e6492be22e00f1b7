const BASE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const OVERRIDE_NAMES = [
  'compose.override.yaml',
  'compose.override.yml',
  'docker-compose.override.yaml',
  'docker-compose.override.yml',
];

/**
 * Groups compose files into projects, each a list in `docker compose -f` order. In each folder
 * the base file (`compose.yaml` first, as Compose prefers it) is merged with its override file,
 * as `docker compose` does by default. Every other variant, such as `docker-compose.prod.yml`,
 * is audited as an override of the base, the way `-f docker-compose.yml -f <variant>` runs it.
 * Without a base file, each file is its own project.
 */
export function groupComposeFiles(paths: string[]): string[][] {
  const byFolder = new Map<string, string[]>();
  for (const path of paths) {
    const slash = path.lastIndexOf('/');
    const folder = slash === -1 ? '' : path.slice(0, slash);
    const list = byFolder.get(folder) ?? [];
    list.push(path);
    byFolder.set(folder, list);
  }

  const projects: string[][] = [];
  for (const [folder, files] of [...byFolder].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const prefix = folder ? `${folder}/` : '';
    const base = BASE_NAMES.map((name) => prefix + name).find((path) => files.includes(path));
    if (!base) {
      for (const file of files.sort()) projects.push([file]);
      continue;
    }
    const override = OVERRIDE_NAMES.map((name) => prefix + name).find((path) =>
      files.includes(path),
    );
    projects.push(override ? [base, override] : [base]);
    for (const file of files.sort()) {
      if (file === base || file === override) continue;
      if (BASE_NAMES.includes(file.slice(prefix.length))) continue;
      if (OVERRIDE_NAMES.includes(file.slice(prefix.length))) continue;
      projects.push([base, file]);
    }
  }
  return projects;
}
