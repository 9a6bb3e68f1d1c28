package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
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
// anchors: for a listing (filter, order and page size) under the versions
// of the tables it reads, the sort value and key of the last row of each
// page it served. The next page then starts with an index seek past the
// anchor instead of an OFFSET scan, as keyset pagination does; a page
// whose predecessor has no anchor steps from the nearest anchor below it.
// An anchor is only used under the table versions it was taken under, so
// the rows it points past are the same rows.

// anchor is the sort value and key of the last row of a page.
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
	for p := page - 1; p > 0; p-- {
		if a, ok := set.pages[p]; ok {
			return a, p
		}
		if page-p > 64 { // a long walk down costs more than it saves
			break
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
	res    *resource
	from   string  // the table and its alias, e.g. "agents a"
	base   string  // a condition every listed row meets, or ""
	tables []Table // the tables the listing reads
}

// page finds the rowids of the rows of one page, in order.
func (s *Store) page(ctx context.Context, tx *Tx, p *pager, opts ListOptions, now time.Time) ([]int64, error) {
	if opts.Page < 1 || opts.Limit < 1 {
		return nil, model.Errorf(model.Invalid, "PageReturned and ReturnLimit must be at least 1.")
	}
	where, args, err := p.res.filter(opts.Query, now)
	if err != nil {
		return nil, err
	}
	sortExpr, err := p.res.sortExpr(opts.SortField)
	if err != nil {
		return nil, err
	}
	if p.base != "" {
		where = p.base + " AND " + where
	}
	dir, cmp := " ASC", ">"
	if opts.Descending {
		dir, cmp = " DESC", "<"
	}
	key := p.res.key
	order := key + dir
	if sortExpr != key {
		order = sortExpr + dir + ", " + key + dir
	}
	alias, _, _ := strings.Cut(strings.TrimSpace(strings.SplitN(p.from, " ", 2)[1]), " ")
	version := s.Version(p.tables...)
	listing := fmt.Sprintf("%s\x00%s\x00%v\x00%s\x00%d", p.from, where, args, order, opts.Limit)
	a, from := s.anchors.nearest(listing, version, opts.Page)
	for {
		q, qargs := where, args
		if from > 0 {
			if sortExpr == key {
				q += " AND " + key + " " + cmp + " ?"
				qargs = append(qargs[:len(qargs):len(qargs)], a.key)
			} else {
				// Anchors are never NULL (see put below). SQLite sorts NULLs
				// first, so descending they follow every anchor; a row-value
				// comparison with a NULL is never true, so say so.
				after := "(" + sortExpr + ", " + key + ") " + cmp + " (?, ?)"
				if opts.Descending {
					after = "(" + after + " OR " + sortExpr + " IS NULL)"
				}
				q += " AND " + after
				qargs = append(qargs[:len(qargs):len(qargs)], a.sort, a.key)
			}
		}
		offset := int64(opts.Page-1-from) * int64(opts.Limit)
		rows, err := tx.QueryContext(ctx, `SELECT `+alias+`.rowid, `+sortExpr+`, `+key+` FROM `+p.from+
			` WHERE `+q+` ORDER BY `+order+` LIMIT ? OFFSET ?`, append(qargs[:len(qargs):len(qargs)], opts.Limit, offset)...)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", p.from, err)
		}
		var last anchor
		ids, err := collect(rows, "page", func(rows *sql.Rows, id *int64) error {
			return rows.Scan(id, &last.sort, &last.key)
		})
		if err != nil {
			return nil, err
		}
		if s.Version(p.tables...) != version {
			// A write committed meanwhile: the anchor may not fit what the
			// query read, so page by offset, and remember nothing.
			if from == 0 {
				return ids, nil
			}
			from = 0
			continue
		}
		if len(ids) == opts.Limit && last.sort != nil {
			s.anchors.put(listing, version, opts.Page, last)
		}
		return ids, nil
	}
}
