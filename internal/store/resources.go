package store

import (
	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/query"
)

// column says how a query field maps to SQL.
type column struct {
	expr string // SQL expression for scalar fields, e.g. "a.status"
	// listKey, for multi-valued (StringList) fields, is the column holding
	// the values as a membership key (see model.ListKey).
	listKey string
	// notNull says the expression is never NULL (paging relies on it:
	// see listing.fetch); when unsure, leave it false.
	notNull bool
	// indexed says an index on (expr, key) exists; selective, that an
	// equality on expr matches few rows. See sqlBuilder.hidden.
	indexed, selective bool
	// noSort says the field filters but does not sort: its value is not
	// a member of the rows' stored JSON, which paging reads (see pager).
	noSort bool
}

// resource is one queryable collection: its query-language schema, the SQL
// behind each field, and its default sort.
type resource struct {
	schema      *query.Schema
	cols        map[string]column // by canonical field name
	defaultSort string            // canonical field name
	key         string            // SQL tie-breaker, unique per row
}

// notNull reports whether the SQL expression expr, a sort column of r,
// is never NULL.
func (r *resource) notNull(expr string) bool {
	if expr == r.key {
		return true
	}
	for _, c := range r.cols {
		if c.expr == expr {
			return c.notNull
		}
	}
	return false
}

// fieldOf returns the canonical name of the field whose column is expr.
func (r *resource) fieldOf(expr string) string {
	for name, c := range r.cols {
		if c.expr == expr {
			return name
		}
	}
	return ""
}

// intExpr reports whether the SQL expression expr, a column of r, holds
// integers (Int and Bool fields) rather than text.
func (r *resource) intExpr(expr string) bool {
	for name, c := range r.cols {
		if c.expr == expr {
			f, ok := r.schema.Lookup(name)
			return ok && (f.Type == query.Int || f.Type == query.Bool)
		}
	}
	return false
}

func newResource(fields []query.Field, cols map[string]column, defaultSort, key string) *resource {
	return &resource{schema: query.NewSchema(fields...), cols: cols, defaultSort: defaultSort, key: key}
}

// agentResource backs GET /Agents. Username is also queryable as Identity
// and AgentPlatform as Platform, the names Command's documentation uses.
var agentResource = newResource(
	[]query.Field{
		{Name: "AgentId", Type: query.String},
		{Name: "ClientMachine", Type: query.String},
		{Name: "Username", Type: query.String, Aliases: []string{"Identity"}},
		{Name: "AgentPlatform", Type: query.Int, Aliases: []string{"Platform"}, Enum: model.AgentPlatformNames},
		{Name: "Version", Type: query.String},
		{Name: "Status", Type: query.Int, Enum: model.AgentStatusNames},
		{Name: "LastSeen", Type: query.Date},
		{Name: "Blueprint", Type: query.String},
		{Name: "Thumbprint", Type: query.String},
		{Name: "Capabilities", Type: query.StringList},
	},
	map[string]column{
		"AgentId":       {expr: "a.agent_id", notNull: true, indexed: true, selective: true},
		"ClientMachine": {expr: "a.client_machine", indexed: true, selective: true},
		"Username":      {expr: "a.username"},
		"AgentPlatform": {expr: "a.platform", notNull: true},
		"Version":       {expr: "a.version"},
		"Status":        {expr: "a.status", notNull: true, indexed: true},
		"LastSeen":      {expr: "a.last_seen", notNull: true, indexed: true},
		"Blueprint":     {expr: "a.blueprint"},
		"Thumbprint":    {expr: "a.thumbprint"},
		"Capabilities":  {listKey: "a.caps_key"},
	},
	"AgentId", "a.agent_id",
)

// jobTypeResource backs GET /JobTypes/Custom.
var jobTypeResource = newResource(
	[]query.Field{
		{Name: "Id", Type: query.String},
		{Name: "JobTypeName", Type: query.String, Aliases: []string{"Name"}},
		{Name: "Description", Type: query.String},
	},
	map[string]column{
		"Id":          {expr: "t.id", notNull: true},
		"JobTypeName": {expr: "t.name", notNull: true},
		"Description": {expr: "t.description"},
	},
	"JobTypeName", "t.id",
)

// scheduledJobResource backs GET /OrchestratorJobs/ScheduledJobs.
var scheduledJobResource = newResource(
	[]query.Field{
		{Name: "Id", Type: query.String, Aliases: []string{"JobId"}},
		{Name: "JobType", Type: query.String, Aliases: []string{"JobTypeName"}},
		{Name: "ClientMachine", Type: query.String, Aliases: []string{"Agent"}},
		{Name: "AgentId", Type: query.String, Aliases: []string{"OrchestratorId"}},
		{Name: "Target", Type: query.String},
		{Name: "Requested", Type: query.Date},
	},
	map[string]column{
		"Id":            {expr: "j.job_id"},
		"JobType":       {expr: "j.job_type"},
		"ClientMachine": {expr: "j.client_machine"},
		"AgentId":       {expr: "j.agent_id"},
		"Target":        {expr: "j.target"},
		"Requested":     {expr: "j.requested"},
	},
	"Id", "j.job_id",
)

// jobHistoryResource backs GET /OrchestratorJobs/JobHistory and the Query
// of Acknowledge and Reschedule. Agent is the orchestrator's machine name,
// as Command's documentation lists it; TargetPath is the store path.
var jobHistoryResource = newResource(
	[]query.Field{
		{Name: "JobHistoryId", Type: query.Int, Aliases: []string{"JobAuditId", "Id"}},
		{Name: "AgentId", Type: query.String, Aliases: []string{"OrchestratorId"}},
		{Name: "AgentMachine", Type: query.String, Aliases: []string{"Agent", "ClientMachine"}},
		{Name: "JobId", Type: query.String},
		{Name: "JobType", Type: query.String},
		{Name: "Result", Type: query.Int, Enum: model.JobResultNames},
		{Name: "Status", Type: query.Int, Enum: model.JobStatusNames},
		{Name: "Message", Type: query.String},
		{Name: "OperationStart", Type: query.Date},
		{Name: "OperationEnd", Type: query.Date},
		{Name: "ScheduleType", Type: query.String},
		{Name: "StorePath", Type: query.String, Aliases: []string{"TargetPath"}},
	},
	map[string]column{
		"JobHistoryId":   {expr: "h.id", notNull: true},
		"AgentId":        {expr: "h.agent_id", notNull: true},
		"AgentMachine":   {expr: "h.agent_machine"},
		"JobId":          {expr: "h.job_id", notNull: true},
		"JobType":        {expr: "h.job_type", notNull: true},
		"Result":         {expr: "h.result", notNull: true},
		"Status":         {expr: "h.status", notNull: true},
		"Message":        {expr: "h.message"},
		"OperationStart": {expr: "h.operation_start", notNull: true},
		"OperationEnd":   {expr: "h.operation_end"},
		"ScheduleType":   {expr: "h.schedule_type"},
		"StorePath":      {expr: "h.store_path"},
	},
	"JobHistoryId", "h.id",
)
