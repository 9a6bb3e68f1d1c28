package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/fault"
	"github.com/mockcommand/mockcommand/internal/mock"
	"github.com/mockcommand/mockcommand/internal/model"
)

func (u *UI) faultRoutes(r chi.Router) {
	r.Get("/faults", u.handleFaults)
	r.Post("/faults", u.handleFaultAdd)
	r.Post("/faults/{id}/delete", u.handleFaultDelete)
}

type faultsView struct {
	Rules []fault.Rule
	Base  string
}

func (u *UI) handleFaults(w http.ResponseWriter, r *http.Request) {
	u.render(w, r, http.StatusOK, "faults.html", "Faults", "faults", faultsView{Rules: u.Mock.Faults().List(), Base: u.Info.BasePath})
}

// handleFaultAdd adds the rule the form describes, as POST /_mock/faults
// would.
func (u *UI) handleFaultAdd(w http.ResponseWriter, r *http.Request) {
	rule, err := formRule(r)
	if err == nil {
		rule, err = u.Mock.Faults().Add(rule)
		if err != nil {
			err = model.Errorf(model.Invalid, "%s.", err.Error())
		}
	}
	u.done(w, r, Prefix+"/faults", fmt.Sprintf("Added fault rule %d.", rule.Id), err)
}

// formRule reads a fault rule from the form; empty fields keep the rule's
// zero values (match everything, no limit).
func formRule(r *http.Request) (fault.Rule, error) {
	f := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	rule := fault.Rule{Method: f("method"), Path: f("path"), Query: f("query"), Message: f("message"), Drop: f("drop") != ""}
	var problems []string
	num := func(name string, set func(string) error) {
		if v := f(name); v != "" {
			if err := set(v); err != nil {
				problems = append(problems, fmt.Sprintf("%s %q is not a number", name, v))
			}
		}
	}
	num("status", func(v string) (err error) { rule.Status, err = strconv.Atoi(v); return })
	num("times", func(v string) (err error) { rule.Times, err = strconv.Atoi(v); return })
	num("after", func(v string) (err error) { rule.After, err = strconv.Atoi(v); return })
	num("probability", func(v string) (err error) { rule.Probability, err = strconv.ParseFloat(v, 64); return })
	for name, d := range map[string]*model.Duration{"delay": &rule.Delay, "delayMax": &rule.DelayMax} {
		if v := f(name); v != "" {
			t, err := mock.ParseDuration(v)
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: %v", name, err))
			}
			*d = model.Duration(t)
		}
	}
	if len(problems) > 0 {
		return rule, model.Errorf(model.Invalid, "%s.", strings.Join(problems, "; "))
	}
	return rule, nil
}

func (u *UI) handleFaultDelete(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil || !u.Mock.Faults().Delete(id) {
		u.done(w, r, Prefix+"/faults", "", model.Errorf(model.NotFound, "Fault rule %s was not found.", chi.URLParam(r, "id")))
		return
	}
	u.done(w, r, Prefix+"/faults", fmt.Sprintf("Removed fault rule %d.", id), nil)
}

// durationText shows a rule's delay.
func durationText(d model.Duration) string {
	if d == 0 {
		return ""
	}
	return time.Duration(d).String()
}
