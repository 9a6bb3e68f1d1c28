package store

import (
	"strings"
	"sync"
	"sync/atomic"
)

// Table names one of the store's tables, for the versions that caches of
// listings key on: a listing stays valid while the tables it reads do not
// change, whatever else is written (scheduling a job does not change the
// agents a cached agent listing shows).
type Table int

// The tables whose changes are tracked.
const (
	TableAgents Table = iota
	TableJobTypes
	TableJobs
	TableJobHistory
	numTables
)

var tableNames = map[string]Table{
	"agents":      TableAgents,
	"job_types":   TableJobTypes,
	"jobs":        TableJobs,
	"job_history": TableJobHistory,
}

// tableGens counts the commits that changed each table.
type tableGens [numTables]atomic.Uint64

// Version changes whenever a commit changes one of tables: it is the sum
// of their generations, which only grow.
func (s *Store) Version(tables ...Table) uint64 {
	var v uint64
	for _, t := range tables {
		v += s.tableGen[t].Load()
	}
	return v
}

// dmlTables remembers, per statement text, which table an INSERT, UPDATE
// or DELETE writes (-1 for none tracked).
var dmlTables sync.Map // string -> Table

// dmlTable returns the tracked table a data-changing statement writes, and
// whether it is one. Statements are written by this package, always in the
// form INSERT [OR …] INTO t, UPDATE t or DELETE FROM t.
func dmlTable(query string) (Table, bool) {
	if v, ok := dmlTables.Load(query); ok {
		t := v.(Table)
		return t, t >= 0
	}
	t := Table(-1)
	f := strings.Fields(strings.ToLower(query))
	for i, w := range f {
		if (w == "into" || w == "update" || w == "from") && i+1 < len(f) {
			if tt, ok := tableNames[strings.Trim(f[i+1], `"(`)]; ok {
				t = tt
			}
			break
		}
	}
	if len(query) <= maxCachedSQLSize {
		dmlTables.Store(query, t)
	}
	return t, t >= 0
}
