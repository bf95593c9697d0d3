-- Incident and action item numbers without gaps, so that a missing number means an erased record
-- (npm run audit:verify reports it). A sequence gives a number away for good even when the insert
-- then fails or rolls back (a retried declaration, a failed transaction); a counter row updated in
-- the inserting transaction is locked until it commits and given back when it rolls back.
-- CreateTable
CREATE TABLE "number_counter" (
    "name" TEXT NOT NULL,
    "last" INTEGER NOT NULL,
    "numbered_from" INTEGER NOT NULL,

    CONSTRAINT "number_counter_pkey" PRIMARY KEY ("name")
);

-- Numbers from here on have no gaps; those given before (by the sequences) may.
INSERT INTO "number_counter" ("name", "last", "numbered_from")
SELECT 'incident', n, n + 1 FROM (
  SELECT GREATEST(COALESCE((SELECT max("number") FROM "incident"), 0),
                  (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM "incident_number_seq"))::int AS n) s;
INSERT INTO "number_counter" ("name", "last", "numbered_from")
SELECT 'action_item', n, n + 1 FROM (
  SELECT GREATEST(COALESCE((SELECT max("number") FROM "action_item"), 0),
                  (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM "action_item_number_seq"))::int AS n) s;

-- AlterTable
ALTER TABLE "incident" ALTER COLUMN "number" DROP DEFAULT;
DROP SEQUENCE "incident_number_seq";

-- AlterTable
ALTER TABLE "action_item" ALTER COLUMN "number" DROP DEFAULT;
DROP SEQUENCE "action_item_number_seq";

-- A counter only moves forward, and where numbering without gaps began does not move: winding one
-- back (to hide an erased newest incident) or removing it is refused (not expressible in
-- schema.prisma). Rolling back a transaction that took a number is not an update, and gives it back.
CREATE FUNCTION number_counter_forward_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
    RAISE EXCEPTION 'number counters are never removed (% on %)', TG_OP, TG_TABLE_NAME;
  END IF;
  IF NEW.name <> OLD.name OR NEW.numbered_from <> OLD.numbered_from OR NEW.last < OLD.last THEN
    RAISE EXCEPTION 'number counters only move forward (% on %)', TG_OP, TG_TABLE_NAME;
  END IF;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER forward_only BEFORE UPDATE OR DELETE ON "number_counter" FOR EACH ROW EXECUTE FUNCTION number_counter_forward_only();
CREATE TRIGGER forward_only_truncate BEFORE TRUNCATE ON "number_counter" FOR EACH STATEMENT EXECUTE FUNCTION number_counter_forward_only();
