package model

import (
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
)

// Agent status values (CSS.CMS.Core.Enums.AgentStatusType). 4 is in
// Command's enum but undocumented; the mock accepts it and gives it no meaning.
const (
	AgentNew         = 1
	AgentApproved    = 2
	AgentDisapproved = 3
)

// AgentStatusNames maps the documented status names to their values.
var AgentStatusNames = map[string]int64{"New": AgentNew, "Approved": AgentApproved, "Disapproved": AgentDisapproved}

// AgentPlatformNames maps platform names to CSS.CMS.Core.Enums.AgentPlatformType values.
var AgentPlatformNames = map[string]int64{
	"Unknown": 0, "DotNet": 1, "Java": 2, "Mac": 3, "Android": 4, "Native": 5, "Bash": 6, "UniversalOrchestrator": 7,
}

// Agent is an orchestrator, in the shape of Command's AgentResponse.
type Agent struct {
	AgentId                     string
	ClientMachine               *string
	Username                    *string
	AgentPlatform               int
	Version                     *string
	Status                      int
	LastSeen                    Time
	Capabilities                []string
	Blueprint                   *string
	Thumbprint                  *string
	LegacyThumbprint            *string
	AuthCertificateReenrollment *string
	LastThumbprintUsed          *string
	LastErrorCode               *int64
	LastErrorMessage            *string
	JobTypes                    []AgentJobType // derived from Capabilities; ignored on input
}

// AgentJobType is an item of Agent.JobTypes (Command v25's JobTypesResponse):
// a job type the orchestrator can run.
type AgentJobType struct {
	Name                   *string
	CertStoreTypeShortName *string
	CertStoreJobType       *string
	JobTypeId              string
}

// Normalize checks an agent given as a fixture or through the admin API and
// fills what may be omitted: a missing AgentId is generated, a missing
// LastSeen is now, capabilities are trimmed and de-duplicated
// (case-insensitively, first spelling kept). JobTypes is derived data and is
// dropped.
func (a *Agent) Normalize(now time.Time) error {
	if strings.TrimSpace(a.AgentId) == "" {
		a.AgentId = uuid.NewString()
	} else {
		id, err := NormalizeGUID(a.AgentId)
		if err != nil {
			return Errorf(Invalid, "AgentId %s", err)
		}
		a.AgentId = id
	}
	if a.Status < 1 || a.Status > 4 {
		return Errorf(Invalid, "Status %d is not an agent status; use 1 (New), 2 (Approved), 3 (Disapproved) or 4 (in Command's enum but undocumented).", a.Status)
	}
	if a.AgentPlatform < 0 || a.AgentPlatform > 7 {
		return Errorf(Invalid, "AgentPlatform %d is not a platform; use 0 to 7 (7 is the Universal Orchestrator).", a.AgentPlatform)
	}
	if a.LastSeen.IsZero() {
		a.LastSeen = NewTime(now)
	}
	caps, err := NormalizeCapabilities(a.Capabilities)
	if err != nil {
		return err
	}
	a.Capabilities, a.JobTypes = caps, nil
	return nil
}

// NormalizeCapabilities trims each capability, drops empty ones and keeps
// the first of any that differ only in case. It never returns nil. A
// capability with a control character is an error.
func NormalizeCapabilities(in []string) ([]string, error) {
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, c := range in {
		c = strings.TrimSpace(c)
		k := strings.ToLower(c)
		if c == "" || seen[k] {
			continue
		}
		if strings.ContainsFunc(c, unicode.IsControl) {
			return nil, Errorf(Invalid, "Capabilities: %q contains a control character.", c)
		}
		seen[k] = true
		out = append(out, c)
	}
	return out, nil
}

// listSep separates the values of a list membership key.
const listSep = "\x1f"

// JoinList joins values with the unit separator, which values never
// contain (see NormalizeCapabilities): a compact stored form of a list
// that SplitList reads back without a JSON decoder.
func JoinList(values []string) string { return strings.Join(values, listSep) }

// SplitList reverses JoinList; it never returns nil.
func SplitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, listSep)
}

// ListKey is the membership key of a list of values: each one lower-cased
// (Unicode-aware) and wrapped in unit separators, "" for an empty list. A
// value is in the list exactly when ListKey([]string{value}) is a
// substring of the list's key. Values must not contain control characters.
func ListKey(values []string) string {
	if len(values) == 0 {
		return ""
	}
	var b strings.Builder
	for _, v := range values {
		b.WriteString(listSep)
		b.WriteString(strings.ToLower(strings.TrimSpace(v)))
	}
	b.WriteString(listSep)
	return b.String()
}
