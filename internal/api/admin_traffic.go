package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/fault"
	"github.com/mockcommand/mockcommand/internal/journal"
	"github.com/mockcommand/mockcommand/internal/model"
)

// requestsPage is the answer of GET /_mock/requests.
type requestsPage struct {
	Total    int // entries matching the filter
	Requests []journal.Entry
}

// handleRequestsList pages through the journal, oldest first. Filters:
// method, path (with * wildcards), status, since and until (RFC 3339, from
// the mock's clock), afterId (newer than an entry seen) and faulted;
// paging: offset (default 0) and limit (default 100).
func (s *Server) handleRequestsList(w http.ResponseWriter, r *http.Request) {
	var f journal.Filter
	f.Method, _ = queryValue(r, "method")
	f.Path, _ = queryValue(r, "path")
	var err error
	parseTime := func(name string) time.Time {
		v, ok := queryValue(r, name)
		if !ok || v == "" || err != nil {
			return time.Time{}
		}
		t, perr := model.ParseTime(v)
		if perr != nil {
			err = model.Errorf(model.Invalid, "%s: %v.", name, perr)
		}
		return t
	}
	f.Since, f.Until = parseTime("since"), parseTime("until")
	parseInt := func(name string, def, lo int) int {
		v, ok := queryValue(r, name)
		if !ok || v == "" || err != nil {
			return def
		}
		n, perr := strconv.Atoi(v)
		if perr != nil || n < lo {
			err = model.Errorf(model.Invalid, "%s %q must be a whole number of at least %d.", name, v, lo)
		}
		return n
	}
	f.Status = parseInt("status", 0, 0)
	f.AfterId = int64(parseInt("afterId", 0, 0))
	if v, ok := queryValue(r, "faulted"); ok && v != "" && err == nil {
		b, perr := strconv.ParseBool(v)
		if perr != nil {
			err = model.Errorf(model.Invalid, "faulted %q is not true or false.", v)
		}
		f.Faulted = b
	}
	offset, limit := parseInt("offset", 0, 0), parseInt("limit", 100, 1)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	page, total := s.journal.List(f, offset, limit)
	encode(w, http.StatusOK, requestsPage{Total: total, Requests: page})
}

func (s *Server) handleRequestsClear(w http.ResponseWriter, r *http.Request) {
	s.journal.Clear()
	noContent(w)
}

func (s *Server) handleFaultsList(w http.ResponseWriter, r *http.Request) {
	rules := s.faults.List()
	if rules == nil {
		rules = []fault.Rule{}
	}
	encode(w, http.StatusOK, rules)
}

func (s *Server) handleFaultAdd(w http.ResponseWriter, r *http.Request) {
	rule, err := decode[fault.Rule](w, r, s.cfg.MaxBodyBytes)
	if err == nil {
		rule, err = s.faults.Add(rule)
		if err != nil {
			err = model.Errorf(model.Invalid, "%s.", err.Error())
		}
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusCreated, rule)
}

func (s *Server) handleFaultsClear(w http.ResponseWriter, r *http.Request) {
	s.faults.Clear()
	noContent(w)
}

func (s *Server) handleFaultDelete(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || !s.faults.Delete(id) {
		writeError(w, r, s.logger, model.Errorf(model.NotFound, "Fault rule %s was not found.", chi.URLParam(r, "id")))
		return
	}
	noContent(w)
}
