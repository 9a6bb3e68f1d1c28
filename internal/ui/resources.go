package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

func (u *UI) resourceRoutes(r chi.Router) {
	r.Get("/stores", u.resourcePage(storesPage))
	r.Get("/certificates", u.resourcePage(certificatesPage))
}

// column is a column of a resource table: a member of the API's answer.
type column struct {
	Field, Label string
	Sort         string // the API's sort field for it; empty when it does not sort
	Time         bool
}

// resourceKind is a listing the dashboard shows as the API answers it:
// the page writes the same JSON the API would, and the table shows some
// of its members (each row opens to the whole answer).
type resourceKind struct {
	path, title, nav, example string
	columns                   []column
	page                      func(u *UI, ctx context.Context, opts store.ListOptions, w io.Writer) error
}

var storesPage = resourceKind{
	path: "/stores", title: "Certificate stores", nav: "stores", example: `ClientMachine -contains "web" AND Approved -eq true`,
	columns: []column{{"ClientMachine", "Client machine", "ClientMachine", false}, {"Storepath", "Store path", "StorePath", false},
		{"CertStoreType", "Type", "CertStoreType", false}, {"Approved", "Approved", "Approved", false},
		{"ContainerName", "Container", "", false}, {"Id", "Id", "", false}},
	page: func(u *UI, ctx context.Context, opts store.ListOptions, w io.Writer) error {
		return u.Mock.Store().StoresPage(ctx, opts, w)
	},
}

var certificatesPage = resourceKind{
	path: "/certificates", title: "Certificates", nav: "certificates", example: `IssuedCN -contains "example" AND CertState -eq 1`,
	columns: []column{{"Id", "Id", "Id", false}, {"IssuedCN", "Issued CN", "IssuedCN", false}, {"NotAfter", "Expires", "NotAfter", true},
		{"CertStateString", "State", "CertState", false}, {"LocationsCount", "Locations", "", false},
		{"TemplateName", "Template", "", false}, {"Thumbprint", "Thumbprint", "Thumbprint", false}},
	page: func(u *UI, ctx context.Context, opts store.ListOptions, w io.Writer) error {
		return u.Mock.Store().CertificatesPage(ctx, opts, store.CertificateListOptions{IncludeRevoked: true, IncludeExpired: true,
			IncludeLocations: true, IncludeMetadata: true}, w)
	},
}

type resourceView struct {
	L       *listing
	Columns []column
	Rows    []resourceRow
	Pager   pager
}

// resourceRow is one entity: the cells shown and the whole answer.
type resourceRow struct {
	Cells []cell
	JSON  string
}

type cell struct {
	Text string
	Time *model.Time
}

func (u *UI) resourcePage(k resourceKind) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l := readListing(r, k.path, "", k.nav, k.example)
		v := resourceView{L: l, Columns: k.columns}
		var raws []json.RawMessage
		if l.Problem == nil {
			var buf bytes.Buffer
			err := k.page(u, r.Context(), l.options(), &buf)
			if err == nil {
				err = json.Unmarshal(buf.Bytes(), &raws)
			}
			if err != nil {
				u.fail(r, l, err)
			}
		}
		for _, raw := range raws {
			var row map[string]json.RawMessage
			if json.Unmarshal(raw, &row) != nil {
				continue
			}
			rr := resourceRow{JSON: pretty(string(raw))} // the API's answer, members in its order
			for _, c := range k.columns {
				rr.Cells = append(rr.Cells, cellOf(row[c.Field], c.Time))
			}
			v.Rows = append(v.Rows, rr)
		}
		v.Pager = l.Pager(len(raws) == l.Limit)
		u.render(w, r, l.status(), "resources.html", k.title, k.nav, v)
	}
}

// cellOf shows a JSON member as text (a time as a time).
func cellOf(raw json.RawMessage, isTime bool) cell {
	if isTime {
		var t model.Time
		if json.Unmarshal(raw, &t) == nil && !t.IsZero() {
			return cell{Time: &t}
		}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // 1000000, not 1e+06
	var v any
	if len(raw) == 0 || dec.Decode(&v) != nil {
		return cell{}
	}
	return cell{Text: valueText(v)}
}

// valueText writes a decoded JSON value for a table cell: a list as its
// items, an object as its values (LocationsCount's {"Count":1,"Type":"IIS"}
// reads "1 IIS"), null as nothing.
func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case []any:
		parts := make([]string, 0, len(v))
		for _, x := range v {
			parts = append(parts, valueText(x))
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		keys := slices.Sorted(maps.Keys(v))
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			if t := valueText(v[k]); t != "" {
				parts = append(parts, t)
			}
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprint(v)
}
