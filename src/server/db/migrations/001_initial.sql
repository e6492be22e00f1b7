-- Accounts, projects, audits, image scans, vulnerability findings and security events.

CREATE TABLE users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('admin', 'engineer', 'viewer')),
  password_hash text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  failed_logins integer NOT NULL DEFAULT 0,
  last_failed_login_at timestamptz,
  locked_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE projects (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  sla_policy jsonb NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE api_tokens (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  prefix text NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  project_ids uuid[] NOT NULL,
  actions text[] NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE security_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  type text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('success', 'failure')),
  user_id uuid,
  token_id uuid,
  subject text,
  ip text,
  request_id text,
  details jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX security_events_time ON security_events (occurred_at DESC, id DESC);
CREATE INDEX security_events_type ON security_events (type, occurred_at DESC);

CREATE TABLE audits (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  report_sha256 text NOT NULL,
  schema_version text NOT NULL,
  tool_version text NOT NULL,
  root text NOT NULL,
  generated_at timestamptz,
  received_at timestamptz NOT NULL DEFAULT now(),
  summary jsonb NOT NULL,
  findings_count integer NOT NULL,
  uploaded_by uuid,
  token_id uuid,
  UNIQUE (project_id, report_sha256)
);
CREATE INDEX audits_project ON audits (project_id, received_at DESC, id DESC);

CREATE TABLE audit_findings (
  audit_id uuid NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
  position integer NOT NULL,
  rule_id text NOT NULL,
  kind text NOT NULL,
  severity text NOT NULL,
  layer text NOT NULL,
  control text NOT NULL,
  message text NOT NULL,
  fingerprint text NOT NULL,
  location jsonb,
  related jsonb,
  evidence text,
  suppression jsonb,
  PRIMARY KEY (audit_id, position)
);

CREATE TABLE images (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  repository text NOT NULL,
  last_report_at timestamptz,
  last_scan_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project_id, repository)
);

CREATE TABLE scans (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  image_id uuid NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  scanner text NOT NULL,
  format text NOT NULL,
  scanner_version text,
  artifact_name text,
  image_digest text,
  report_sha256 text NOT NULL,
  report_created_at timestamptz,
  received_at timestamptz NOT NULL DEFAULT now(),
  vulnerability_count integer NOT NULL,
  finding_count integer NOT NULL,
  new_count integer NOT NULL,
  reopened_count integer NOT NULL,
  fixed_count integer NOT NULL,
  stale boolean NOT NULL DEFAULT false,
  uploaded_by uuid,
  token_id uuid,
  UNIQUE (project_id, report_sha256)
);
CREATE INDEX scans_project ON scans (project_id, received_at DESC, id DESC);

CREATE TABLE vuln_findings (
  id uuid PRIMARY KEY,
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  image_id uuid NOT NULL REFERENCES images (id) ON DELETE CASCADE,
  vuln_id text NOT NULL,
  aliases text[] NOT NULL,
  package_name text NOT NULL,
  package_location text NOT NULL,
  package_type text NOT NULL,
  installed_version text NOT NULL,
  fixed_version text,
  has_fix boolean NOT NULL,
  severity text NOT NULL,
  scanner_severity text NOT NULL,
  title text NOT NULL,
  status text NOT NULL CHECK (status IN ('open', 'fixed')),
  open_in text[] NOT NULL,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  fixed_at timestamptz,
  reopened_at timestamptz,
  reopen_count integer NOT NULL DEFAULT 0,
  clock_started_at timestamptz NOT NULL,
  due_at timestamptz,
  accepted_until timestamptz,
  first_scan_id uuid NOT NULL,
  last_scan_id uuid NOT NULL
);
CREATE INDEX vuln_findings_image ON vuln_findings (image_id);
CREATE INDEX vuln_findings_due ON vuln_findings (project_id, status, due_at, id);
CREATE INDEX vuln_findings_aliases ON vuln_findings USING gin (aliases);

CREATE TABLE acceptances (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('risk-accepted', 'false-positive')),
  vuln_id text NOT NULL,
  package_name text,
  image_repository text,
  reason text NOT NULL,
  author_id uuid REFERENCES users (id) ON DELETE SET NULL,
  author_name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_by uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX acceptances_project ON acceptances (project_id, created_at DESC, id DESC);
