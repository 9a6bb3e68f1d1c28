-- The job type of a run, folded as model.NameKey folds names (full Unicode
-- case folding, which NOCASE does not do), so that the runs a job mode's
-- scripts cover are found exactly.
ALTER TABLE job_history ADD COLUMN job_type_key TEXT NOT NULL DEFAULT '';
UPDATE job_history SET job_type_key = lower(job_type);
