-- Jobs and their runs move to the jobs file, attached as jobsdb, whose
-- tables the store creates before migrating (see store/jobsdb.go).
INSERT INTO jobsdb.jobs (job_id, agent_id, client_machine, job_type, target, schedule, fields, requested, state)
    SELECT job_id, agent_id, client_machine, job_type, target, schedule, fields, requested, state FROM main.jobs;
INSERT INTO jobsdb.job_history (id, job_id, agent_id, agent_machine, job_type, schedule, schedule_type, operation_start,
        operation_end, message, result, status, data, store_path, job_type_key)
    SELECT id, job_id, agent_id, agent_machine, job_type, schedule, schedule_type, operation_start,
        operation_end, message, result, status, data, store_path, job_type_key FROM main.job_history;
DROP TABLE main.jobs;
DROP TABLE main.job_history;
