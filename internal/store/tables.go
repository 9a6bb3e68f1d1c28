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
	TableStoreTypes
	TableContainers
	TableStores
	TableStoreInventory
	TableStoreObserved
	TableDiscoverable
	TableCAs
	TableTemplates
	TableCertificates
	TableMetadata
	numTables
)

var tableNames = map[string]Table{
	"agents":      TableAgents,
	"job_types":   TableJobTypes,
	"jobs":        TableJobs,
	"job_history": TableJobHistory,

	"store_types":         TableStoreTypes,
	"store_containers":    TableContainers,
	"stores":              TableStores,
	"store_inventory":     TableStoreInventory,
	"store_observed":      TableStoreObserved,
	"discoverable_stores": TableDiscoverable,
	"cas":                 TableCAs,
	"templates":           TableTemplates,
	"certificates":        TableCertificates,
	"metadata_fields":     TableMetadata,
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

// Listings also depend on particular columns: a page's anchors (see
// pager) stay valid while no row comes or goes and none of the columns its
// filter and order read changes, so an orchestrator's LastSeen moving
// leaves the anchors of listings that neither filter nor sort on LastSeen.
// Columns are learnt from the statements themselves: the columns an
// UPDATE sets; an INSERT (an upsert too) or DELETE counts as rows coming
// and going. Writes made by triggers are not seen: a trigger must only
// write columns no listing reads (agents_doc writes doc).

// dml is what a data-changing statement writes.
type dml struct {
	table Table    // -1 for a table not tracked
	cols  []string // for an UPDATE, the columns it sets; nil for INSERT and DELETE
}

// dmlCache remembers, per statement text, what it writes.
var dmlCache sync.Map // string -> dml

// parseDML reads what a data-changing statement writes. Statements are
// written by this package, always in the form INSERT [OR …] INTO t …,
// UPDATE t SET c = …, … [WHERE …] or DELETE FROM t ….
func parseDML(query string) dml {
	if v, ok := dmlCache.Load(query); ok {
		return v.(dml)
	}
	d := dml{table: -1}
	f := strings.Fields(strings.ToLower(query))
	for i, w := range f {
		if (w == "into" || w == "update" || w == "from") && i+1 < len(f) {
			if t, ok := tableNames[strings.Trim(f[i+1], `"(`)]; ok {
				d.table = t
				if w == "update" {
					d.cols = setColumns(query)
				}
			}
			break
		}
	}
	if len(query) <= maxCachedSQLSize {
		dmlCache.Store(query, d)
	}
	return d
}

// setColumns lists the columns an UPDATE's SET clause assigns: the name
// before each top-level "=" between SET and WHERE.
func setColumns(query string) []string {
	lower := strings.ToLower(query)
	i := strings.Index(lower, " set ")
	if i < 0 {
		return []string{"*"} // unreadable: count it as changing everything
	}
	rest := query[i+len(" set "):]
	if j := strings.Index(strings.ToLower(rest), " where "); j >= 0 {
		rest = rest[:j]
	}
	var cols []string
	depth, start := 0, 0
	for k := 0; k <= len(rest); k++ {
		if k < len(rest) {
			switch rest[k] {
			case '(':
				depth++
			case ')':
				depth--
			}
			if rest[k] != ',' || depth != 0 {
				continue
			}
		}
		name, _, ok := strings.Cut(rest[start:k], "=")
		if !ok {
			return []string{"*"}
		}
		cols = append(cols, strings.Trim(strings.TrimSpace(name), `"`))
		start = k + 1
	}
	return cols
}

// columnGens counts the commits that changed rows of a table or a column.
type columnGens struct {
	rows tableGens // rows came or went (or a column was changed in a way not read)
	cols sync.Map  // changedColumn -> *atomic.Uint64
}

func (g *columnGens) col(t Table, name string) *atomic.Uint64 {
	key := changedColumn{t, name}
	if v, ok := g.cols.Load(key); ok {
		return v.(*atomic.Uint64)
	}
	v, _ := g.cols.LoadOrStore(key, new(atomic.Uint64))
	return v.(*atomic.Uint64)
}

// columnsVersion changes whenever a commit adds or deletes rows of t or
// changes one of cols.
func (s *Store) columnsVersion(t Table, cols []string) uint64 {
	v := s.colGen.rows[t].Load()
	for _, c := range cols {
		v += s.colGen.col(t, c).Load()
	}
	return v
}
