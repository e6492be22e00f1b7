-- A report is a duplicate only when the same image already has it, so one report body sent
-- for two image repositories of a project is stored once for each.
ALTER TABLE scans DROP CONSTRAINT scans_project_id_report_sha256_key;
ALTER TABLE scans ADD CONSTRAINT scans_image_id_report_sha256_key UNIQUE (image_id, report_sha256);
