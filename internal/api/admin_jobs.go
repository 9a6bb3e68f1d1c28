package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// Job modes: how due job runs complete.
const (
	ModeManual    = "manual"    // a test completes runs through /_mock/jobs/{id}/complete
	ModeImmediate = "immediate" // due runs complete with Success by themselves
)

// resultValue is a job result given as a number (2, 3, 4) or a name
// (Success, Warning, Failure).
type resultValue int

func (v *resultValue) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		for name, n := range model.JobResultNames {
			if strings.EqualFold(name, s) {
				*v = resultValue(n)
				return nil
			}
		}
		return fmt.Errorf("%q is not a job result; use Success, Warning or Failure", s)
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("expected a job result such as \"Success\" or 2")
	}
	*v = resultValue(n)
	return nil
}

// MarshalJSON writes the result's name.
func (v resultValue) MarshalJSON() ([]byte, error) {
	for name, n := range model.JobResultNames {
		if int(n) == int(v) {
			return json.Marshal(name)
		}
	}
	return json.Marshal(int(v))
}

// completion is how a test (or a script) ends a job run.
type completion struct {
	Result  *resultValue // default Success
	Message *string
	Data    *string
	Retry   bool // CompletedWillRetry instead of Completed
}

func (c completion) toModel() (model.Completion, error) {
	out := model.Completion{Result: model.JobResultSuccess, Message: c.Message, Data: c.Data, Retry: c.Retry}
	if c.Result != nil {
		out.Result = int(*c.Result)
	}
	if model.IsJobResult(out.Result) {
		return out, nil
	}
	return out, model.Errorf(model.Invalid, "Result %d is not a job result; use Success (2), Warning (3) or Failure (4).", out.Result)
}

// jobMode is the body of GET and PUT /_mock/jobs/mode.
type jobMode struct {
	Mode    string                // manual or immediate
	Scripts map[string]completion // by job type name: how its due runs complete, whatever the mode
}

// PolicyFromMode turns a mode name and scripts into a store.JobPolicy,
// checking the scripts: job type names not empty and not the same but for
// case, results that are job results.
func PolicyFromMode(mode string, scripts map[string]model.Completion) (store.JobPolicy, error) {
	seen := map[string]string{}
	for name, c := range scripts {
		if strings.TrimSpace(name) == "" {
			return store.JobPolicy{}, fmt.Errorf("a script's job type name is empty")
		}
		if other, dup := seen[model.NameKey(name)]; dup {
			return store.JobPolicy{}, fmt.Errorf("scripts %q and %q name the same job type", other, name)
		}
		seen[model.NameKey(name)] = name
		if !model.IsJobResult(c.Result) {
			return store.JobPolicy{}, fmt.Errorf("script %s: result %d is not a job result; use Success (2), Warning (3) or Failure (4)", name, c.Result)
		}
	}
	switch strings.ToLower(strings.TrimSpace(mode)) {
	case ModeManual:
		return store.JobPolicy{Scripts: scripts}, nil
	case ModeImmediate:
		return store.JobPolicy{Immediate: true, Scripts: scripts}, nil
	}
	return store.JobPolicy{}, fmt.Errorf("job mode %q is not manual or immediate", mode)
}

func (s *Server) handleJobModeGet(w http.ResponseWriter, r *http.Request) {
	p := s.store.JobPolicy()
	out := jobMode{Mode: ModeManual, Scripts: map[string]completion{}}
	if p.Immediate {
		out.Mode = ModeImmediate
	}
	names := make([]string, 0, len(p.Scripts))
	for name := range p.Scripts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c := p.Scripts[name]
		res := resultValue(c.Result)
		out.Scripts[name] = completion{Result: &res, Message: c.Message, Data: c.Data, Retry: c.Retry}
	}
	encode(w, http.StatusOK, out)
}

func (s *Server) handleJobModeSet(w http.ResponseWriter, r *http.Request) {
	req, err := decode[jobMode](w, r, s.cfg.MaxBodyBytes)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	scripts := make(map[string]model.Completion, len(req.Scripts))
	for name, c := range req.Scripts {
		mc, err := c.toModel()
		if err != nil {
			writeError(w, r, s.logger, model.Errorf(model.Invalid, "Scripts[%s]: %v", name, err))
			return
		}
		scripts[name] = mc
	}
	p, err := PolicyFromMode(req.Mode, scripts)
	if err != nil {
		writeError(w, r, s.logger, model.Errorf(model.Invalid, "%s.", strings.ToUpper(err.Error()[:1])+err.Error()[1:]))
		return
	}
	s.store.SetJobPolicy(p)
	if err := s.store.RunDueJobs(r.Context()); err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	s.handleJobModeGet(w, r)
}

func (s *Server) handleAdminJobStart(w http.ResponseWriter, r *http.Request) {
	run, err := s.store.StartJob(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, run)
}

// handleAdminJobComplete ends the job's waiting or in-process run; an
// empty body means Success.
func (s *Server) handleAdminJobComplete(w http.ResponseWriter, r *http.Request) {
	c, err := decode[completion](w, r, s.cfg.MaxBodyBytes)
	if err != nil && !errors.Is(err, model.ErrNoBody) {
		writeError(w, r, s.logger, err)
		return
	}
	mc, err := c.toModel()
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	run, err := s.store.CompleteJob(r.Context(), chi.URLParam(r, "id"), mc)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, run)
}
