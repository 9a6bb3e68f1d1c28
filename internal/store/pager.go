package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
)

// Paging is done in SQLite, and kept cheap however deep the page.
//
// Which rows a page holds is one statement: the filter, the order (the
// sort field, then the resource's key to break ties), LIMIT and OFFSET. An
// OFFSET makes SQLite step over every row before the page, so a deep page
// costs as much as all the pages before it. A pager therefore remembers
// anchors: for a listing (filter, order and page size), the sort value and
// key of the last row of each page it served, under the version of the
// columns the listing reads (see columnsVersion). The next page then starts with an index seek past the
// anchor instead of an OFFSET scan, as keyset pagination does; a page
// whose predecessor has no anchor steps from the nearest anchor below it,
// and a page found by OFFSET also remembers where its predecessor ended,
// so that asking for it again is a seek. An anchor is only used while no
// row has come or gone and none of those columns has changed, so the rows
// it points past are the same rows.
//
// A page comes back from SQLite as one value: the rows' stored JSON,
// concatenated in order by group_concat and separated by a group separator
// (0x1D, which encoded JSON never holds raw). That is one step of the
// statement instead of one per row, which is where most of the cost of a
// small page went; the anchors are read back from the JSON of the rows
// they are needed for.

// anchor is the sort value and key of the last row of a page; sort is
// never nil (keyset conditions cannot seek past a NULL: see fetch).
type anchor struct {
	sort, key any
}

// anchorCache holds anchors for many listings, bounded in number.
type anchorCache struct {
	mu       sync.Mutex
	listings map[string]*anchorSet
	count    int
}

type anchorSet struct {
	version uint64
	pages   map[int]anchor // by page number
}

// maxAnchors bounds the anchors kept, in all (some 100 bytes each).
const maxAnchors = 20_000

// nearest returns the anchor of the highest page below page, if any, and
// that page's number (0 when there is none: start from the first row).
func (c *anchorCache) nearest(listing string, version uint64, page int) (anchor, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	set := c.listings[listing]
	if set == nil || set.version != version {
		return anchor{}, 0
	}
	for p := page - 1; p > 0 && page-p <= 64; p-- { // a long walk down costs more than it saves
		if a, ok := set.pages[p]; ok {
			return a, p
		}
	}
	return anchor{}, 0
}

func (c *anchorCache) put(listing string, version uint64, page int, a anchor) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.listings == nil || c.count >= maxAnchors {
		c.listings, c.count = map[string]*anchorSet{}, 0 // simplest eviction: start again
	}
	set := c.listings[listing]
	if set == nil || set.version != version {
		if set != nil {
			c.count -= len(set.pages)
		}
		set = &anchorSet{version: version, pages: map[int]anchor{}}
		c.listings[listing] = set
	}
	if _, ok := set.pages[page]; !ok {
		c.count++
	}
	set.pages[page] = a
}

// pager lists a resource's rows a page at a time.
type pager struct {
	res  *resource
	from string // the table and its alias, e.g. "agents a"
	base string // a condition every listed row meets, or ""
	// baseArgs are the arguments of base's placeholders.
	baseArgs []any
	table    Table // the table listed
	// doc is the column holding each row's JSON: an object whose members
	// named as the resource's fields hold the values of their columns.
	doc string
}

// pageChunk is the most rows one statement returns: a larger page is
// read in chunks, each starting where the last one ended.
const pageChunk = 500

// pageRows lists one page of p's rows matching opts and calls row with
// each row's JSON, in order. The slice is valid only during the call. A page larger than pageChunk is read in
// several statements, which q must run in one transaction for the page to
// be consistent.
func (s *Store) pageRows(ctx context.Context, q querier, p *pager, opts ListOptions, now time.Time, row func(doc []byte) error) error {
	if opts.Page < 1 || opts.Limit < 1 {
		return model.Errorf(model.Invalid, "PageReturned and ReturnLimit must be at least 1.")
	}
	l, err := s.newListing(p, opts, now)
	if err != nil {
		return err
	}
	version := s.columnsVersion(p.table, l.columns)
	limit := int64(opts.Limit)
	start := int64(opts.Page-1) * limit // rows before the page
	cur, from := s.anchors.nearest(l.id, version, opts.Page)
	var after *anchor // where reading starts: after this row, or at the first
	if from > 0 {
		after = &cur
	}
	afterPos := int64(from) * limit // how many rows come before the one after reads from
	var prev *anchor                // where the page before ended
	if afterPos == start {
		prev = after
	}
	pos, emitted := start, int64(0) // the next row wanted; rows handed to row
	var last anchor
	for emitted < limit {
		n := min(limit-emitted, pageChunk)
		skip := pos - afterPos
		// Found by OFFSET, a page also reads the row before it, whose
		// sort value and key are where the page before ended.
		before := prev == nil && emitted == 0 && skip > 0
		if before {
			skip, n = skip-1, n+1
		}
		rows, done, err := l.fetch(ctx, q, after, skip, n)
		if err == errRetryByOffset {
			after, afterPos = nil, 0
			continue
		}
		if err != nil {
			return err
		}
		got, err := l.emit(rows, before, &prev, &last, row)
		done()
		if err != nil {
			return err
		}
		if before {
			n--
		}
		emitted += int64(got)
		pos += int64(got)
		if int64(got) < n {
			break // the listing ended
		}
		if last.sort != nil {
			after, afterPos = &last, pos
		} // else: a NULL cannot be sought past; count from the reading start
	}
	if s.columnsVersion(p.table, l.columns) != version {
		return nil // a write committed meanwhile: the anchors may not fit it
	}
	if prev != nil && prev.sort != nil && opts.Page > 1 {
		s.anchors.put(l.id, version, opts.Page-1, *prev)
	}
	if emitted == limit && last.sort != nil {
		s.anchors.put(l.id, version, opts.Page, last)
	}
	return nil
}

// listing is a compiled listing: its condition, order and statements.
type listing struct {
	p         *pager
	id        string // identifies the listing and page size, for anchors
	where     string
	args      []any
	sort, key string // SQL expressions
	desc      bool
	order     string   // the ORDER BY list
	columns   []string // the columns the filter and order read
	nullable  bool     // the sort expression can be NULL
	sortField string   // the canonical names of the sort field and the key
	keyField  string
	pinned    bool // the filter pins the sort field to one value
	sortInt   bool // the sort expression is an integer, not text
	keyInt    bool // the key is an integer, not text
}

func (s *Store) newListing(p *pager, opts ListOptions, now time.Time) (*listing, error) {
	sortExpr, err := p.res.sortExpr(opts.SortField)
	if err != nil {
		return nil, err
	}
	f, err := p.res.compileFilter(opts.Query, now, sortExpr)
	if err != nil {
		return nil, err
	}
	where := f.where
	if p.base != "" {
		where = p.base + " AND " + where
	}
	args := f.args
	if len(p.baseArgs) > 0 {
		args = append(slices.Clone(p.baseArgs), f.args...)
	}
	l := &listing{p: p, where: where, args: args, sort: sortExpr, key: p.res.key, desc: opts.Descending}
	// The anchors hold while none of the columns the listing reads change
	// (a base condition's columns are not tracked: the table's rows are).
	l.columns = append(f.columns, columnName(sortExpr), columnName(p.res.key))
	pinned := f.pinned
	dir := " ASC"
	if l.desc {
		dir = " DESC"
	}
	l.order = l.key + dir
	if l.sort != l.key {
		l.order = l.sort + dir + ", " + l.key + dir
		l.nullable = !p.res.notNull(l.sort)
	}
	l.sortField, l.keyField = p.res.fieldOf(l.sort), p.res.fieldOf(l.key)
	// Every row has the same sort value (but for case, which NOCASE
	// ignores): the key alone orders the rows, and a keyset condition on
	// the sort value as well would make SQLite scan and sort instead of
	// seeking.
	l.pinned = l.sort != l.key && pinned[l.sortField]
	l.sortInt, l.keyInt = p.res.intExpr(l.sort), p.res.intExpr(l.key)
	l.id = fmt.Sprintf("%s\x00%s\x00%v\x00%s\x00%d", p.from, where, args, l.order, opts.Limit)
	return l, nil
}

// fetch reads up to n rows: after anchor a (nil: from the first row),
// skipping skip of them. A keyset condition cannot reach rows whose sort
// value is NULL, which SQLite sorts first: ascending they all come before
// any anchor, but descending they follow, so a descending page that runs
// out of non-NULL rows is read again by OFFSET.
func (l *listing) fetch(ctx context.Context, q querier, a *anchor, skip, n int64) ([][]byte, func(), error) {
	where, args := l.where, l.args
	if a != nil {
		cmp := " > "
		if l.desc {
			cmp = " < "
		}
		if l.sort == l.key || l.pinned {
			where += " AND " + l.key + cmp + "?"
			args = append(args[:len(args):len(args)], a.key)
		} else {
			where += " AND (" + l.sort + ", " + l.key + ")" + cmp + "(?, ?)"
			args = append(args[:len(args):len(args)], a.sort, a.key)
		}
	}
	// SQLite aggregates the rows of an ordered subquery in its order; the
	// paging tests would catch a version that did not.
	query := `SELECT group_concat(d_, char(29)) FROM (SELECT ` + l.p.doc + ` AS d_` +
		` FROM ` + l.p.from + ` WHERE ` + where + ` ORDER BY ` + l.order + ` LIMIT ? OFFSET ?)`
	res, err := q.QueryContext(ctx, query, append(args[:len(args):len(args)], n, skip)...)
	if err != nil {
		return nil, nil, fmt.Errorf("list %s: %w", l.p.from, err)
	}
	// The page is read in place (RawBytes): it is valid until the result
	// is closed, which the caller does once it has written the rows.
	var page sql.RawBytes
	if res.Next() {
		err = res.Scan(&page)
	}
	if err == nil {
		err = res.Err()
	}
	if err != nil {
		res.Close()
		return nil, nil, fmt.Errorf("list %s: %w", l.p.from, err)
	}
	var rows [][]byte
	if len(page) > 0 {
		rows = bytes.Split(page, []byte{0x1d})
	}
	if a != nil && l.desc && l.nullable && int64(len(rows)) < n {
		res.Close()
		return nil, nil, errRetryByOffset
	}
	return rows, func() { res.Close() }, nil
}

// emit hands the rows read to row, and reads the anchors needed of them:
// where the page before ended (the first row, when before) and the last
// row's. It returns how many rows of the page there were.
func (l *listing) emit(rows [][]byte, before bool, prev **anchor, last *anchor, row func([]byte) error) (int, error) {
	if before && len(rows) > 0 {
		a, err := l.anchorOf(rows[0])
		if err != nil {
			return 0, err
		}
		*prev = &a
		rows = rows[1:]
	}
	for _, r := range rows {
		if err := row(r); err != nil {
			return 0, err
		}
	}
	if len(rows) > 0 {
		a, err := l.anchorOf(rows[len(rows)-1])
		if err != nil {
			return 0, err
		}
		*last = a
	}
	return len(rows), nil
}

// errRetryByOffset: see fetch.
var errRetryByOffset = fmt.Errorf("page must be read by offset")

// anchorOf reads the sort value and key of a row from its JSON.
func (l *listing) anchorOf(doc []byte) (anchor, error) {
	raw, ok := jsonMember(doc, l.sortField)
	if !ok {
		return anchor{}, fmt.Errorf("list %s: the stored JSON of a row has no %s", l.p.from, l.sortField)
	}
	sort, err := l.value(raw, l.sortInt)
	if err != nil {
		return anchor{}, err
	}
	raw, ok = jsonMember(doc, l.keyField)
	if !ok {
		return anchor{}, fmt.Errorf("list %s: the stored JSON of a row has no %s", l.p.from, l.keyField)
	}
	key, err := l.value(raw, l.keyInt)
	if err != nil || key == nil {
		return anchor{}, fmt.Errorf("list %s: the stored JSON of a row has no %s (%v)", l.p.from, l.keyField, err)
	}
	return anchor{sort: sort, key: key}, nil
}

// jsonMember finds the value of a top-level member of a JSON object as the
// store encodes it (encoding/json: no spaces, members named once): the
// bytes of a string, number, literal, or flat array of scalars. The byte
// sequence "name": can only be a member's name, as the quotes inside an
// encoded string are escaped; a nested object's member could match, which
// stored documents do not have.
func jsonMember(doc []byte, name string) ([]byte, bool) {
	var pat [64]byte
	key := append(append(append(pat[:0], '"'), name...), '"', ':')
	i := bytes.Index(doc, key)
	if i < 0 {
		return nil, false
	}
	v := doc[i+len(key):]
	if len(v) == 0 {
		return nil, false
	}
	inString := false
	depth := 0
	for j := 0; j < len(v); j++ {
		switch c := v[j]; {
		case inString && c == '\\':
			j++ // the escaped byte
		case c == '"':
			inString = !inString
			if !inString && depth == 0 {
				return v[:j+1], true
			}
		case inString:
		case c == '[':
			depth++
		case c == ']':
			depth--
			if depth == 0 {
				return v[:j+1], true
			}
			if depth < 0 {
				return nil, false
			}
		case (c == ',' || c == '}') && depth == 0:
			return v[:j], j > 0
		}
	}
	return nil, false
}

// value reads a sort value or key from JSON as its column holds it: NULL
// (nil), an integer (Int and Bool fields) or text.
func (l *listing) value(raw json.RawMessage, isInt bool) (any, error) {
	switch s := string(raw); {
	case s == "" || s == "null":
		return nil, nil
	case s == "true":
		return int64(1), nil
	case s == "false":
		return int64(0), nil
	case isInt:
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("list %s: stored value %s is not an integer: %w", l.p.from, s, err)
		}
		return i, nil
	}
	var str string
	if err := json.Unmarshal(raw, &str); err != nil {
		return nil, fmt.Errorf("list %s: stored value %s: %w", l.p.from, raw, err)
	}
	return str, nil
}
