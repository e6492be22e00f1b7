import { Type } from 'typebox';
import { LAYERS, SEVERITIES } from '../../../finding/finding.js';
import { DateTime, NullableDateTime, SeveritySchema, Uuid } from '../../schemas.js';

const Count = Type.Integer({ minimum: 0 });

const Location = Type.Object(
  {
    path: Type.String({ maxLength: 4096 }),
    startLine: Type.Integer({ minimum: 1 }),
    startColumn: Type.Integer({ minimum: 1 }),
    endLine: Type.Integer({ minimum: 1 }),
    endColumn: Type.Integer({ minimum: 1 }),
  },
  { additionalProperties: false },
);

const AuditFinding = Type.Object(
  {
    ruleId: Type.String({ minLength: 1, maxLength: 100 }),
    kind: Type.Enum(['misconfiguration', 'parse-error', 'input-error', 'vulnerability'] as const),
    severity: SeveritySchema,
    layer: Type.Enum(LAYERS),
    control: Type.String({ maxLength: 200 }),
    message: Type.String({ maxLength: 10_000 }),
    location: Type.Optional(Location),
    related: Type.Optional(
      Type.Array(
        Type.Object(
          { message: Type.String({ maxLength: 10_000 }), location: Location },
          { additionalProperties: false },
        ),
        { maxItems: 100 },
      ),
    ),
    evidence: Type.Optional(Type.String({ maxLength: 10_000 })),
    fingerprint: Type.String({ pattern: '^[0-9a-f]{32}$' }),
    suppression: Type.Optional(
      Type.Object(
        {
          kind: Type.Enum(['inline', 'config', 'accepted'] as const),
          reason: Type.String({ maxLength: 2000 }),
          expires: Type.Optional(Type.String({ maxLength: 100 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const BySeverity = Type.Object(
  Object.fromEntries(SEVERITIES.map((severity) => [severity, Count])) as Record<
    (typeof SEVERITIES)[number],
    typeof Count
  >,
  { additionalProperties: false },
);

const AuditSummaryCounts = Type.Object(
  { files: Count, findings: Count, suppressed: Count, bySeverity: BySeverity },
  { additionalProperties: false },
);

/** `infraprime audit --format json` output, schema version 1.x (schema/audit-report.v1.json). */
export const AuditReportBody = Type.Object(
  {
    schemaVersion: Type.String({ pattern: '^1\\.\\d+\\.\\d+$' }),
    tool: Type.Object(
      { name: Type.Literal('infraprime'), version: Type.String({ maxLength: 100 }) },
      { additionalProperties: false },
    ),
    root: Type.String({ maxLength: 4096 }),
    generatedAt: Type.String({ format: 'date-time' }),
    summary: AuditSummaryCounts,
    findings: Type.Array(AuditFinding),
  },
  { additionalProperties: false },
);

export const AuditView = Type.Object({
  id: Uuid,
  root: Type.String(),
  schemaVersion: Type.String(),
  toolVersion: Type.String(),
  generatedAt: NullableDateTime,
  receivedAt: DateTime,
  findingsCount: Type.Integer(),
  summary: AuditSummaryCounts,
});

export const AuditFindingView = Type.Object({
  position: Type.Integer(),
  ...AuditFinding.properties,
});

export const IngestedAudit = Type.Object({
  audit: AuditView,
  duplicate: Type.Boolean({ description: 'The same report was stored before; nothing changed.' }),
  newCount: Type.Integer({ description: 'Fingerprints absent from the previous audit.' }),
  resolvedCount: Type.Integer({ description: 'Fingerprints of the previous audit now absent.' }),
});
