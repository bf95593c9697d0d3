-- CreateTable
CREATE TABLE "incident_durations" (
    "incident_id" UUID NOT NULL,
    "declared_at" TIMESTAMPTZ(3),
    "ack_at" TIMESTAMPTZ(3),
    "mit_at" TIMESTAMPTZ(3),
    "res_at" TIMESTAMPTZ(3),
    "other_at" TIMESTAMPTZ(3),

    CONSTRAINT "incident_durations_pkey" PRIMARY KEY ("incident_id")
);

-- AddForeignKey
ALTER TABLE "incident_durations" ADD CONSTRAINT "incident_durations_incident_id_fkey" FOREIGN KEY ("incident_id") REFERENCES "incident"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The durations' instants (src/domain/durations.ts), kept per incident from its timeline as the
-- entries go in, so the insights read one row per incident instead of looking up each incident's
-- status entries. Every column is a monotonic aggregate (a min or a max), so an entry can be added
-- in any order: least()/greatest() (which pass NULLs over: least(NULL, x) is x) fold it in. The
-- table is derived, not a record of what people did: it has no audit trigger (the timeline entries
-- it is made from are audited). The functions run with the owner's rights (a DBA allowed to write
-- timeline_entry need not be allowed to write this table), with a fixed search_path.

-- The status a timeline entry moves the incident to, as statusChangesFrom reads it
-- (src/domain/timeline.ts): its data.to when that is a status (STATUSES in src/domain/incident.ts),
-- else the one its kind implies; none for a `declared` entry.
-- (No SET search_path: it names no table or function, and a function with one is not inlined.)
CREATE FUNCTION incident_duration_status(p_kind text, p_data jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT CASE WHEN p_kind = 'declared' THEN NULL
    WHEN p_data ->> 'to' IN ('DECLARED', 'INVESTIGATING', 'IDENTIFIED', 'MONITORING', 'RESOLVED', 'CLOSED') THEN p_data ->> 'to'
    WHEN p_kind = 'resolved' THEN 'RESOLVED'
    WHEN p_kind = 'closed' THEN 'CLOSED' END
$fn$;

-- Counts the incidents' rows again from their whole timelines (the kinds are DURATION_KINDS in
-- src/domain/timeline.ts): the backfill below, and an entry changed or removed (a min or a max cannot
-- be taken back one entry at a time). An incident with no such entry left has no row.
CREATE FUNCTION incident_durations_recount(p_incidents uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  DELETE FROM public.incident_durations WHERE incident_id = ANY(p_incidents);
  INSERT INTO public.incident_durations (incident_id, declared_at, ack_at, mit_at, res_at, other_at)
  SELECT s.incident_id,
    min(s.at) FILTER (WHERE s.kind = 'declared'),
    min(s.at) FILTER (WHERE s.status <> 'DECLARED'),
    min(s.at) FILTER (WHERE s.status IN ('MONITORING', 'RESOLVED')),
    max(s.at) FILTER (WHERE s.status = 'RESOLVED'),
    max(s.at) FILTER (WHERE s.status NOT IN ('RESOLVED', 'CLOSED'))
  FROM (
    SELECT t.incident_id, t.kind, t.occurred_at AS at, public.incident_duration_status(t.kind, t.data) AS status
    FROM public.timeline_entry t
    WHERE t.incident_id = ANY(p_incidents)
      AND t.kind IN ('declared', 'status_changed', 'resolved', 'closed', 'reopened')
  ) s
  GROUP BY s.incident_id;
END
$fn$;
REVOKE ALL ON FUNCTION incident_durations_recount(uuid[]) FROM PUBLIC;

-- A new entry of those kinds: folded into its incident's row (made when it is the first).
CREATE FUNCTION incident_durations_add() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  v_status text := public.incident_duration_status(NEW.kind, NEW.data);
  v_at timestamptz := NEW.occurred_at;
BEGIN
  IF NEW.kind <> 'declared' AND v_status IS NULL THEN RETURN NULL; END IF; -- moves to no known status
  INSERT INTO public.incident_durations AS d (incident_id, declared_at, ack_at, mit_at, res_at, other_at)
  VALUES (
    NEW.incident_id,
    CASE WHEN NEW.kind = 'declared' THEN v_at END,
    CASE WHEN v_status <> 'DECLARED' THEN v_at END,
    CASE WHEN v_status IN ('MONITORING', 'RESOLVED') THEN v_at END,
    CASE WHEN v_status = 'RESOLVED' THEN v_at END,
    CASE WHEN v_status NOT IN ('RESOLVED', 'CLOSED') THEN v_at END
  )
  ON CONFLICT (incident_id) DO UPDATE SET
    declared_at = least(d.declared_at, EXCLUDED.declared_at),
    ack_at = least(d.ack_at, EXCLUDED.ack_at),
    mit_at = least(d.mit_at, EXCLUDED.mit_at),
    res_at = greatest(d.res_at, EXCLUDED.res_at),
    other_at = greatest(d.other_at, EXCLUDED.other_at);
  RETURN NULL;
END
$fn$;
REVOKE ALL ON FUNCTION incident_durations_add() FROM PUBLIC;

-- An entry of those kinds changed or removed: its incident (both, if it moved) counted again. The
-- bot never does either to these kinds (the only entries it updates are those made from Slack
-- messages, their text, edited_at and deleted_at: PrismaIncidentStore.updateMessageEntry; it
-- removes none); a data fix by hand might, and the figures must still follow the timeline.
CREATE FUNCTION incident_durations_changed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    PERFORM public.incident_durations_recount(ARRAY[OLD.incident_id, NEW.incident_id]);
  ELSE
    PERFORM public.incident_durations_recount(ARRAY[OLD.incident_id]);
  END IF;
  RETURN NULL;
END
$fn$;
REVOKE ALL ON FUNCTION incident_durations_changed() FROM PUBLIC;

CREATE TRIGGER incident_durations_add AFTER INSERT ON "timeline_entry" FOR EACH ROW
  WHEN (NEW.kind IN ('declared', 'status_changed', 'resolved', 'closed', 'reopened'))
  EXECUTE FUNCTION incident_durations_add();
CREATE TRIGGER incident_durations_update AFTER UPDATE OF incident_id, occurred_at, kind, data ON "timeline_entry" FOR EACH ROW
  WHEN ((OLD.kind IN ('declared', 'status_changed', 'resolved', 'closed', 'reopened')
      OR NEW.kind IN ('declared', 'status_changed', 'resolved', 'closed', 'reopened'))
    AND (OLD.incident_id, OLD.occurred_at, OLD.kind, OLD.data) IS DISTINCT FROM (NEW.incident_id, NEW.occurred_at, NEW.kind, NEW.data))
  EXECUTE FUNCTION incident_durations_changed();
CREATE TRIGGER incident_durations_delete AFTER DELETE ON "timeline_entry" FOR EACH ROW
  WHEN (OLD.kind IN ('declared', 'status_changed', 'resolved', 'closed', 'reopened'))
  EXECUTE FUNCTION incident_durations_changed();

-- The incidents already recorded.
SELECT incident_durations_recount(coalesce(array_agg(DISTINCT incident_id), '{}'))
  FROM timeline_entry WHERE kind IN ('declared', 'status_changed', 'resolved', 'closed', 'reopened');
