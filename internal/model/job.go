package model

import (
	"fmt"
	"slices"
	"strings"
)

// JobField is one resolved job field in a job response (JobFieldResponse).
type JobField struct {
	JobTypeField string
	Value        *string
}

// JobResponse is the answer to POST /OrchestratorJobs/Custom.
type JobResponse struct {
	JobId            string
	OrchestratorId   string
	JobTypeName      string
	Schedule         Schedule
	JobFields        []JobField
	RequestTimestamp Time
}

// ScheduledJob is an item of GET /OrchestratorJobs/ScheduledJobs (Command's
// Job model). Requested is a string in Command's schema; the mock puts the
// request time there in TimeLayout.
type ScheduledJob struct {
	Id            string
	ClientMachine *string
	Target        *string
	Schedule      Schedule
	Requested     *string
	JobType       *string
}

// ResolveJobFields checks the supplied job-field values against the job
// type and returns the fields of the job in the type's declaration order:
// supplied values (matched to field names case-insensitively) override
// defaults, omitted fields take their default, and fields with neither are
// left out. Unknown names, missing required fields and values that do not
// parse as the field's type are reported together in one Invalid error.
func ResolveJobFields(jt *JobType, supplied map[string]Scalar) ([]JobField, error) {
	byName := make(map[string]Scalar, len(supplied))
	var problems []string
	keys := make([]string, 0, len(supplied))
	for k := range supplied {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		byName[strings.ToLower(strings.TrimSpace(k))] = supplied[k]
		if !jt.hasField(k) {
			if len(jt.JobTypeFields) == 0 {
				problems = append(problems, fmt.Sprintf("unknown field %q: job type %q has no fields", k, jt.JobTypeName))
			} else {
				problems = append(problems, fmt.Sprintf("unknown field %q: job type %q has the fields %s", k, jt.JobTypeName, strings.Join(jt.FieldNames(), ", ")))
			}
		}
	}
	var out []JobField
	for _, f := range jt.JobTypeFields {
		v, ok := byName[strings.ToLower(f.Name)]
		if !ok || !v.Set {
			v = f.DefaultValue
		}
		if !v.Set {
			if f.Required {
				problems = append(problems, fmt.Sprintf("required field %q (%s) was not supplied and has no default", f.Name, f.Type))
			}
			continue
		}
		norm, err := f.Type.CheckValue(v.Value)
		if err != nil {
			problems = append(problems, fmt.Sprintf("field %q: %s", f.Name, err))
			continue
		}
		out = append(out, JobField{JobTypeField: f.Name, Value: &norm})
	}
	if len(problems) > 0 {
		return nil, Errorf(Invalid, "JobFields: %s.", strings.Join(problems, "; "))
	}
	return out, nil
}

func (jt *JobType) hasField(name string) bool {
	name = strings.TrimSpace(name)
	for _, f := range jt.JobTypeFields {
		if strings.EqualFold(f.Name, name) {
			return true
		}
	}
	return false
}
