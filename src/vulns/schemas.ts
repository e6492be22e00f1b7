import { type Static, Type } from 'typebox';

/**
 * JSON Schemas of the scan reports InfraPrime reads. They check the fields InfraPrime uses and
 * let every other field through, because scanners add fields in minor releases.
 */

const Id = Type.String({ minLength: 1, maxLength: 256 });
const Text = Type.String({ maxLength: 65_536 });
const ShortText = Type.String({ maxLength: 4096 });
const OptionalText = Type.Optional(Type.Union([ShortText, Type.Null()]));

export const TrivyVulnerabilitySchema = Type.Object({
  VulnerabilityID: Id,
  PkgName: Type.String({ minLength: 1, maxLength: 1024 }),
  PkgPath: OptionalText,
  PkgID: OptionalText,
  PkgIdentifier: Type.Optional(
    Type.Union([Type.Object({ PURL: OptionalText, UID: OptionalText }), Type.Null()]),
  ),
  InstalledVersion: OptionalText,
  FixedVersion: OptionalText,
  Status: OptionalText,
  SeveritySource: OptionalText,
  Severity: OptionalText,
  VendorSeverity: Type.Optional(
    Type.Union([Type.Record(Type.String(), Type.Integer({ minimum: 0, maximum: 4 })), Type.Null()]),
  ),
  VendorIDs: Type.Optional(Type.Union([Type.Array(Id, { maxItems: 64 }), Type.Null()])),
  Title: Type.Optional(Type.Union([Text, Type.Null()])),
  Description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});

export const TrivyResultSchema = Type.Object({
  Target: ShortText,
  Class: OptionalText,
  Type: OptionalText,
  Vulnerabilities: Type.Optional(Type.Union([Type.Array(TrivyVulnerabilitySchema), Type.Null()])),
});

export const TrivyReportSchema = Type.Object({
  SchemaVersion: Type.Literal(2),
  CreatedAt: OptionalText,
  ArtifactName: OptionalText,
  ArtifactType: OptionalText,
  Metadata: Type.Optional(
    Type.Union([
      Type.Object({
        OS: Type.Optional(
          Type.Union([Type.Object({ Family: ShortText, Name: OptionalText }), Type.Null()]),
        ),
        ImageID: OptionalText,
        RepoDigests: Type.Optional(Type.Union([Type.Array(ShortText), Type.Null()])),
      }),
      Type.Null(),
    ]),
  ),
  Trivy: Type.Optional(Type.Union([Type.Object({ Version: OptionalText }), Type.Null()])),
  Results: Type.Optional(Type.Union([Type.Array(TrivyResultSchema), Type.Null()])),
});

/** Trivy before v0.20 wrote a bare array of results with no metadata. */
export const TrivyLegacyReportSchema = Type.Array(TrivyResultSchema);

export const GrypeMatchSchema = Type.Object({
  vulnerability: Type.Object({
    id: Id,
    severity: OptionalText,
    namespace: OptionalText,
    description: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    fix: Type.Optional(
      Type.Union([
        Type.Object({
          versions: Type.Optional(Type.Union([Type.Array(ShortText), Type.Null()])),
          state: OptionalText,
        }),
        Type.Null(),
      ]),
    ),
    fixedInVersion: OptionalText,
    advisories: Type.Optional(
      Type.Union([Type.Array(Type.Object({ id: Id }), { maxItems: 256 }), Type.Null()]),
    ),
  }),
  relatedVulnerabilities: Type.Optional(
    Type.Union([
      Type.Array(Type.Object({ id: Id, namespace: OptionalText }), { maxItems: 256 }),
      Type.Null(),
    ]),
  ),
  artifact: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 1024 }),
    version: OptionalText,
    type: OptionalText,
    purl: OptionalText,
    locations: Type.Optional(
      Type.Union([Type.Array(Type.Object({ path: OptionalText })), Type.Null()]),
    ),
  }),
});

export const GrypeReportSchema = Type.Object({
  matches: Type.Array(GrypeMatchSchema),
  source: Type.Optional(
    Type.Union([
      Type.Object({
        type: OptionalText,
        target: Type.Optional(
          Type.Union([
            ShortText,
            Type.Object({
              userInput: OptionalText,
              manifestDigest: OptionalText,
              repoDigests: Type.Optional(Type.Union([Type.Array(ShortText), Type.Null()])),
              tags: Type.Optional(Type.Union([Type.Array(ShortText), Type.Null()])),
            }),
            Type.Null(),
          ]),
        ),
      }),
      Type.Null(),
    ]),
  ),
  descriptor: Type.Optional(
    Type.Union([
      Type.Object({ name: OptionalText, version: OptionalText, timestamp: OptionalText }),
      Type.Null(),
    ]),
  ),
});

/** Any report `POST .../scans` accepts. */
export const ScanReportSchema = Type.Union([
  TrivyReportSchema,
  TrivyLegacyReportSchema,
  GrypeReportSchema,
]);

export type TrivyVulnerability = Static<typeof TrivyVulnerabilitySchema>;
export type TrivyResult = Static<typeof TrivyResultSchema>;
export type TrivyReport = Static<typeof TrivyReportSchema>;
export type GrypeMatch = Static<typeof GrypeMatchSchema>;
export type GrypeReport = Static<typeof GrypeReportSchema>;
