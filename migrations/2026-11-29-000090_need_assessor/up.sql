-- Who recorded a need's assessment (user id), so that four eyes on the plan holds
-- against the assessor whatever other steps come between.
ALTER TABLE rehab_needs ADD COLUMN assessed_by TEXT;
UPDATE rehab_needs SET assessed_by = (
    SELECT e.actor_id FROM rehab_need_events e
    WHERE e.need_id = rehab_needs.id AND e.to_status IN ('assessed', 'not_needed', 'refused', 'deferred')
    ORDER BY e.id DESC LIMIT 1
) WHERE result IS NOT NULL;
