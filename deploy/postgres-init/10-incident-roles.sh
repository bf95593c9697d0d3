#!/bin/sh
# Run by the postgres image once, on the first start of an empty volume (docker-entrypoint-initdb.d),
# as its superuser: the owner role that migrates, the bot's own least-privileged role (not SUPERUSER,
# not CREATEROLE, not a member of the owner) and the database the owner owns, as
# docs/operations.md#least-privilege-database-roles says. PostgreSQL 15 and later already keep PUBLIC from
# creating in the public schema. Names can be changed with INCIDENT_OWNER, INCIDENT_BOT and INCIDENT_DB.
set -eu
: "${OWNER_DB_PASSWORD:?is required}" "${BOT_DB_PASSWORD:?is required}"
psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v owner="${INCIDENT_OWNER:-incident_owner}" -v bot="${INCIDENT_BOT:-incident_bot}" -v db="${INCIDENT_DB:-incidents}" \
  -v owner_password="$OWNER_DB_PASSWORD" -v bot_password="$BOT_DB_PASSWORD" <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password';
CREATE ROLE :"bot" LOGIN PASSWORD :'bot_password';
CREATE DATABASE :"db" OWNER :"owner";
SQL
