package ui

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/mockcommand/mockcommand/internal/store"
)

// limits are the page sizes the listings offer.
var limits = []int{25, 50, 100, 500}

// listing is the state of a paged, sorted, filtered table, read from the
// page's URL: q (Command's query language), sort, desc, page and limit. It
// maps onto store.ListOptions, so the table shows what the API would.
type listing struct {
	path    string // the page's path under Prefix
	prefix  string // parameter prefix, for pages with two tables
	Query   string
	Sort    string
	Desc    bool
	Page    int
	Limit   int
	Name    string // what the table lists ("orchestrators"), for landmarks
	Label   string // the query box's label
	Example string // a query shown as a hint
	Limits  []int
	Problem *Problem // the API's answer to a bad query or sort field
	other   url.Values
}

// readListing reads the parameters named with prefix (none for pages
// with one table); other parameters are kept in the links it makes.
func readListing(r *http.Request, path, prefix, name, example string) *listing {
	q := r.URL.Query()
	l := &listing{path: path, prefix: prefix, Name: name, Label: "Query", Example: example, Limits: limits, Page: 1, Limit: 50, other: url.Values{}}
	l.Query = strings.TrimSpace(q.Get(prefix + "q"))
	l.Sort = strings.TrimSpace(q.Get(prefix + "sort"))
	l.Desc = q.Get(prefix+"desc") == "1"
	l.Page, l.Problem = pagingValue(q, prefix+"page", "PageReturned", 1)
	if l.Problem == nil {
		l.Limit, l.Problem = pagingValue(q, prefix+"limit", "ReturnLimit", 50)
	}
	if !slices.Contains(l.Limits, l.Limit) {
		l.Limits = append(slices.Clone(l.Limits), l.Limit)
		slices.Sort(l.Limits)
	}
	for k, vs := range q {
		l.other[k] = vs
	}
	for _, k := range []string{"q", "sort", "desc", "page", "limit"} {
		l.other.Del(prefix + k)
	}
	return l
}

// pagingValue reads a page number or size as the API reads PageReturned
// and ReturnLimit: a whole number from 1 to 2147483647, or the API's
// paging error (the same code and message as GET /Agents answers).
func pagingValue(q url.Values, key, name string, def int) (int, *Problem) {
	v := strings.TrimSpace(q.Get(key))
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || n > math.MaxInt32 {
		return def, &Problem{Status: http.StatusBadRequest, ErrorCode: pagingErrorCode,
			Message: fmt.Sprintf("%s %q is not valid; it must be a whole number from 1 to %d.", name, v, math.MaxInt32)}
	}
	return int(n), nil
}

// pagingErrorCode is the API's code for a bad PageReturned or ReturnLimit
// (TestBrowser_OrchestratorQuery compares the two answers).
const pagingErrorCode = "0xA0110005"

// options is the listing as the store takes it.
func (l *listing) options() store.ListOptions {
	return store.ListOptions{Query: l.Query, SortField: l.Sort, Descending: l.Desc, Page: l.Page, Limit: l.Limit}
}

// Hidden is the page's other parameters, which the query form keeps.
func (l *listing) Hidden() map[string]string {
	h := make(map[string]string, len(l.other))
	for k, vs := range l.other {
		if len(vs) > 0 {
			h[k] = vs[0]
		}
	}
	return h
}

// Param is the name of one of the listing's parameters in the URL.
func (l *listing) Param(name string) string { return l.prefix + name }

// Action is the path the query form submits to.
func (l *listing) Action() string { return Prefix + l.path }

// url is the page's URL with this listing changed by change.
func (l *listing) url(change func(c *listing)) string {
	c := *l
	change(&c)
	v := url.Values{}
	for k, vs := range l.other {
		v[k] = vs
	}
	set := func(k, val string) {
		if val != "" {
			v.Set(l.prefix+k, val)
		}
	}
	set("q", c.Query)
	set("sort", c.Sort)
	if c.Desc {
		set("desc", "1")
	}
	if c.Page > 1 {
		set("page", strconv.Itoa(c.Page))
	}
	if c.Limit != 50 {
		set("limit", strconv.Itoa(c.Limit))
	}
	if len(v) == 0 {
		return Prefix + l.path
	}
	return Prefix + l.path + "?" + v.Encode()
}

// sortHead is a column heading that sorts by field (and flips the
// direction when the table is already sorted by it).
type sortHead struct {
	Label, Href  string
	Active, Desc bool
}

// Head makes the heading of a sortable column.
func (l *listing) Head(field, label string) sortHead {
	active := strings.EqualFold(l.Sort, field)
	return sortHead{Label: label, Active: active, Desc: active && l.Desc,
		Href: l.url(func(c *listing) { c.Sort, c.Desc, c.Page = field, active && !l.Desc, 1 })}
}

// pager links the previous and next pages.
type pager struct {
	Label      string // names the landmark (two tables, two pagers)
	Page       int
	Prev, Next string
}

// Pager links the neighbouring pages; full says this page is full, so a
// next one may have rows.
func (l *listing) Pager(full bool) pager {
	p := pager{Label: "Pages of " + l.Name, Page: l.Page}
	if l.Page > 1 {
		p.Prev = l.url(func(c *listing) { c.Page-- })
	}
	if full {
		p.Next = l.url(func(c *listing) { c.Page++ })
	}
	return p
}

// fail records err as the API would answer it, for the form to show
// under the query box.
func (u *UI) fail(r *http.Request, l *listing, err error) {
	p := u.Describe(r, err)
	l.Problem = &p
}

// status is the page's status: the API's for a listing it refuses.
func (l *listing) status() int {
	if l.Problem != nil {
		return l.Problem.Status
	}
	return http.StatusOK
}
