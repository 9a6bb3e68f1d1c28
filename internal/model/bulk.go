package model

// BulkJobResponse is the answer to POST /OrchestratorJobs/Custom/Bulk:
// the jobs scheduled, one per orchestrator, and the orchestrators that
// could not take one.
type BulkJobResponse struct {
	OrchestratorJobPairs  []BulkJobPair
	FailedOrchestratorIds []string
	JobTypeName           string
	Schedule              Schedule
	JobFields             []JobField
	RequestTimestamp      Time
}

// BulkJobPair is Command's BulkOrchestratorJobPair.
type BulkJobPair struct {
	JobId          string
	OrchestratorId string
}
