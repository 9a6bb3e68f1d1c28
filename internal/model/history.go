package model

// Job run status values (Keyfactor.Orchestrators.Common.Enums.OrchestratorJobStatusJobStatus).
const (
	JobStatusUnknown            = 0
	JobStatusWaiting            = 1
	JobStatusInProcess          = 2
	JobStatusCompleted          = 3
	JobStatusAcknowledged       = 4
	JobStatusCompletedWillRetry = 5
)

// Job run result values (OrchestratorJobStatusJobResult). 1 is in Command's
// enum but undocumented.
const (
	JobResultUnknown = 0
	JobResultSuccess = 2
	JobResultWarning = 3
	JobResultFailure = 4
)

// IsJobResult reports whether r is a result a finished run can have:
// Success, Warning or Failure (Unknown is a run that has not finished).
func IsJobResult(r int) bool {
	switch r {
	case JobResultSuccess, JobResultWarning, JobResultFailure:
		return true
	}
	return false
}

// JobStatusNames and JobResultNames give the documented names, usable in
// queries (Status -eq Completed) and in the admin API.
var (
	JobStatusNames = map[string]int64{
		"Unknown": JobStatusUnknown, "Waiting": JobStatusWaiting, "InProcess": JobStatusInProcess,
		"Completed": JobStatusCompleted, "Acknowledged": JobStatusAcknowledged, "CompletedWillRetry": JobStatusCompletedWillRetry,
	}
	JobResultNames = map[string]int64{
		"Unknown": JobResultUnknown, "Success": JobResultSuccess, "Warning": JobResultWarning, "Failure": JobResultFailure,
	}
)

// JobHistory is one run of a job, in the shape of Command's JobHistoryResponse.
type JobHistory struct {
	JobHistoryId   int64
	AgentMachine   *string
	JobId          string
	Schedule       Schedule
	JobType        *string
	OperationStart Time
	OperationEnd   *Time
	Message        *string
	Result         int
	Status         int
	StorePath      *string
	ClientMachine  *string
}

// JobResultData is the answer to GET /OrchestratorJobs/JobStatus/Data.
type JobResultData struct {
	JobHistoryId int64
	Data         *string
}

// Completion is how a job run ends: its result, message and optional data,
// and whether Command will retry it (status CompletedWillRetry instead of
// Completed).
type Completion struct {
	Result  int
	Message *string
	Data    *string
	Retry   bool
}
