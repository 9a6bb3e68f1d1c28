package ui

import (
	"net/http"
	"net/url"
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
	Label   string // the query box's label
	Example string // a query shown as a hint
	Limits  []int
	Problem *Problem // the API's answer to a bad query or sort field
	other   url.Values
}

// readListing reads the parameters named with prefix (none for pages
// with one table); other parameters are kept in the links it makes.
func readListing(r *http.Request, path, prefix, example string) *listing {
	q := r.URL.Query()
	l := &listing{path: path, prefix: prefix, Label: "Query", Example: example, Limits: limits, Page: 1, Limit: 50, other: url.Values{}}
	l.Query = strings.TrimSpace(q.Get(prefix + "q"))
	l.Sort = strings.TrimSpace(q.Get(prefix + "sort"))
	l.Desc = q.Get(prefix+"desc") == "1"
	if n, err := strconv.Atoi(q.Get(prefix + "page")); err == nil && n > 1 {
		l.Page = n
	}
	if n, err := strconv.Atoi(q.Get(prefix + "limit")); err == nil && n >= 1 && n <= 500 {
		l.Limit = n
	}
	for k, vs := range q {
		l.other[k] = vs
	}
	for _, k := range []string{"q", "sort", "desc", "page", "limit"} {
		l.other.Del(prefix + k)
	}
	l.other.Del("ok")
	l.other.Del("err")
	return l
}

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
	Page       int
	Prev, Next string
}

// Pager links the neighbouring pages; full says this page is full, so a
// next one may have rows.
func (l *listing) Pager(full bool) pager {
	p := pager{Page: l.Page}
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
