-- Runs once, when the postgres image initialises an empty data folder. Creates the role the API
-- logs in with: no superuser, role or database creation rights, and only its own schema.

-- The password comes from the compose secret, never from this file. Statement logging is off
-- for this session so that the CREATE ROLE text with the password is not written to the log.
SET log_statement = 'none';
SET log_min_error_statement = 'panic';
\set app_password `cat /run/secrets/postgres_app_password`

CREATE ROLE infraprime_app LOGIN
  NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT
  CONNECTION LIMIT 40
  PASSWORD :'app_password';
\unset app_password

CREATE DATABASE infraprime OWNER postgres ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE infraprime FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE infraprime TO infraprime_app;

\connect infraprime
-- PUBLIC may not create objects anywhere. The API's tables live in a schema it owns, so its
-- migrations work without rights elsewhere.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
CREATE SCHEMA infraprime AUTHORIZATION infraprime_app;
ALTER ROLE infraprime_app IN DATABASE infraprime SET search_path = infraprime;
ALTER ROLE infraprime_app SET statement_timeout = '30s';
ALTER ROLE infraprime_app SET idle_in_transaction_session_timeout = '60s';
