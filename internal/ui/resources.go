package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

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
		l := readListing(r, k.path, "", k.example)
		v := resourceView{L: l, Columns: k.columns}
		var buf bytes.Buffer
		var rows []map[string]json.RawMessage
		err := k.page(u, r.Context(), l.options(), &buf)
		if err == nil {
			err = json.Unmarshal(buf.Bytes(), &rows)
		}
		status := http.StatusOK
		if err != nil {
			u.fail(r, l, err)
			status = l.Problem.Status
		}
		for _, row := range rows {
			rr := resourceRow{JSON: toJSON(row)}
			for _, c := range k.columns {
				rr.Cells = append(rr.Cells, cellOf(row[c.Field], c.Time))
			}
			v.Rows = append(v.Rows, rr)
		}
		v.Pager = l.Pager(len(rows) == l.Limit)
		u.render(w, r, status, "resources.html", k.title, k.nav, v)
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
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil || v == nil {
		return cell{}
	}
	if s, ok := v.(string); ok {
		return cell{Text: s}
	}
	return cell{Text: fmt.Sprint(v)}
}
