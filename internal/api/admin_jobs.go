package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/mock"
	"github.com/mockcommand/mockcommand/internal/model"
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

// completion is how a test (or a script) ends a job run; an absent Result
// means Success.
type completion struct {
	Result  *resultValue
	Message *string
	Data    *string
	Retry   bool // CompletedWillRetry instead of Completed
}

// toModel converts c; an explicit Result must be a result a finished run
// can have (an absent one becomes Success in the mock package).
func (c completion) toModel() (model.Completion, error) {
	out := model.Completion{Message: c.Message, Data: c.Data, Retry: c.Retry}
	if c.Result != nil {
		out.Result = int(*c.Result)
		if err := mock.CheckResult(out.Result); err != nil {
			return out, err
		}
	}
	return out, nil
}

// jobMode is the body of GET and PUT /_mock/jobs/mode (see mock.JobMode).
type jobMode struct {
	Mode        string
	PickupDelay *model.Duration `json:",omitempty"` // the check-in delay of the checkin mode
	Scripts     map[string]completion
}

func (s *Server) handleJobModeGet(w http.ResponseWriter, r *http.Request) {
	jm := s.mock.JobMode()
	out := jobMode{Mode: jm.Mode, Scripts: make(map[string]completion, len(jm.Scripts))}
	if jm.Mode == mock.ModeCheckIn {
		d := model.Duration(jm.PickupDelay)
		out.PickupDelay = &d
	}
	for name, c := range jm.Scripts {
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
	jm := mock.JobMode{Mode: req.Mode, Scripts: make(map[string]model.Completion, len(req.Scripts))}
	if req.PickupDelay != nil {
		jm.PickupDelay = time.Duration(*req.PickupDelay)
	}
	for name, c := range req.Scripts {
		mc, err := c.toModel()
		if err != nil {
			writeError(w, r, s.logger, model.Errorf(model.Invalid, "Scripts[%s]: %s", name, err))
			return
		}
		jm.Scripts[name] = mc
	}
	if err := s.mock.SetJobMode(r.Context(), jm); err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	s.handleJobModeGet(w, r)
}

func (s *Server) handleAdminJobStart(w http.ResponseWriter, r *http.Request) {
	run, err := s.mock.StartJob(r.Context(), chi.URLParam(r, "id"))
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
	run, err := s.mock.CompleteJob(r.Context(), chi.URLParam(r, "id"), mc)
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, run)
}
