import { completePolicy, type SlaPolicy } from '../../vulns/sla.js';
import type { Queryable } from '../db/database.js';
import { ApiError } from '../errors.js';
import { recomputeDeadlines } from './findings.js';

export interface Project {
  id: string;
  slug: string;
  name: string;
  description: string;
  slaPolicy: SlaPolicy;
  createdAt: Date;
}

function toProject(row: Record<string, unknown>): Project {
  return {
    id: row.id as string,
    slug: row.slug as string,
    name: row.name as string,
    description: row.description as string,
    slaPolicy: completePolicy(row.sla_policy as Partial<SlaPolicy>),
    createdAt: row.created_at as Date,
  };
}

const COLUMNS = 'id, slug, name, description, sla_policy, created_at';

export async function createProject(
  db: Queryable,
  input: {
    slug: string;
    name: string;
    description?: string | undefined;
    createdBy: string;
    policy?: SlaPolicy | undefined;
  },
): Promise<Project> {
  const { rows } = await db.query(
    `INSERT INTO projects (slug, name, description, sla_policy, created_by)
     VALUES ($1, $2, $3, $4::jsonb, $5) ON CONFLICT (slug) DO NOTHING RETURNING ${COLUMNS}`,
    [
      input.slug,
      input.name,
      input.description ?? '',
      JSON.stringify(completePolicy(input.policy)),
      input.createdBy,
    ],
  );
  if (!rows[0]) throw new ApiError('conflict', `A project with slug ${input.slug} already exists.`);
  return toProject(rows[0]);
}

export async function findProject(db: Queryable, id: string): Promise<Project | null> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM projects WHERE id = $1`, [id]);
  return rows[0] ? toProject(rows[0]) : null;
}

export async function requireProject(db: Queryable, id: string): Promise<Project> {
  const project = await findProject(db, id);
  if (!project) throw new ApiError('not-found', `Project ${id} does not exist.`);
  return project;
}

export async function listProjects(
  db: Queryable,
  page: { after?: string | undefined; limit: number; ids?: string[] | undefined },
): Promise<Project[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM projects
      WHERE ($1::text IS NULL OR slug > $1) AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
      ORDER BY slug LIMIT $3`,
    [page.after ?? null, page.ids ?? null, page.limit],
  );
  return rows.map(toProject);
}

/** Stores a new SLA policy and recomputes every deadline of the project in the same transaction. */
export async function updateProjectPolicy(
  tx: Queryable,
  id: string,
  policy: SlaPolicy,
): Promise<Project> {
  const { rows } = await tx.query(
    `UPDATE projects SET sla_policy = $2::jsonb WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, JSON.stringify(policy)],
  );
  if (!rows[0]) throw new ApiError('not-found', `Project ${id} does not exist.`);
  await recomputeDeadlines(tx, id, policy);
  return toProject(rows[0]);
}
