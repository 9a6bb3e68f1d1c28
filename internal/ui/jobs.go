package ui

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/mock"
	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

func (u *UI) jobRoutes(r chi.Router) {
	r.Get("/jobtypes", u.handleJobTypes)
	r.Get("/jobs", u.handleJobs)
	r.Get("/jobs/new", u.handleJobForm)
	r.Post("/jobs", u.handleJobSchedule)
	r.Post("/jobs/{id}/start", u.handleJobStart)
	r.Post("/jobs/{id}/complete", u.handleJobComplete)
	r.Post("/jobs/{id}/unschedule", u.handleJobUnschedule)
	r.Post("/runs/{id}/acknowledge", u.handleRunAction((*store.Store).AcknowledgeRuns, "Acknowledged run %d.",
		"Run %d was not acknowledged: only a completed run that ended with a Warning or a Failure can be."))
	r.Post("/runs/{id}/reschedule", u.handleRunAction((*store.Store).RescheduleRuns, "Rescheduled run %d.",
		"Run %d was not rescheduled: only a Completed or Acknowledged run that ended with a Failure can be."))
}

// allJobTypes lists every custom job type, by name.
func (u *UI) allJobTypes(r *http.Request) ([]model.JobType, error) {
	return u.Mock.Store().ListJobTypes(r.Context(), store.ListOptions{SortField: "JobTypeName", Page: 1, Limit: 10000})
}

func (u *UI) handleJobTypes(w http.ResponseWriter, r *http.Request) {
	types, err := u.allJobTypes(r)
	if err != nil {
		u.render(w, r, http.StatusInternalServerError, "jobtypes.html", "Job types", "jobtypes", u.problemText(r, err))
		return
	}
	u.render(w, r, http.StatusOK, "jobtypes.html", "Job types", "jobtypes", types)
}

type jobsView struct {
	Back      string // this page's URL: actions come back to it
	Mode      string
	Modes     []string
	Manual    bool
	S, H      *listing
	Scheduled []model.ScheduledJob
	History   []model.JobHistory
	SPager    pager
	HPager    pager
	Results   []string
}

// handleJobs shows the scheduled jobs and the job history, each a table
// with its own query (ScheduledJobs' and JobHistory's query fields).
func (u *UI) handleJobs(w http.ResponseWriter, r *http.Request) {
	jm := u.Mock.JobMode()
	v := jobsView{Back: here(r), Mode: jm.Mode, Manual: jm.Mode == mock.ModeManual, Results: []string{"Success", "Warning", "Failure"},
		Modes: []string{mock.ModeCheckIn, mock.ModeImmediate, mock.ModeManual}}
	v.S = readListing(r, "/jobs", "s", "scheduled jobs", `JobType -eq "Inventory"`)
	v.H = readListing(r, "/jobs", "h", "job history", `Result -eq Failure`)
	v.S.Label, v.H.Label = "Scheduled jobs query", "Job history query"
	if v.H.Sort == "" {
		v.H.Sort, v.H.Desc = "OperationStart", true
		if _, set := r.URL.Query()["hsort"]; set {
			v.H.Sort = ""
		}
	}
	var err error
	if v.S.Problem == nil {
		if v.Scheduled, err = u.Mock.Store().ListScheduledJobs(r.Context(), v.S.options()); err != nil {
			u.fail(r, v.S, err)
		}
	}
	if v.H.Problem == nil {
		if v.History, err = u.Mock.Store().ListJobHistory(r.Context(), v.H.options()); err != nil {
			u.fail(r, v.H, err)
		}
	}
	status := max(v.S.status(), v.H.status())
	v.SPager, v.HPager = v.S.Pager(len(v.Scheduled) == v.S.Limit), v.H.Pager(len(v.History) == v.H.Limit)
	u.render(w, r, status, "jobs.html", "Jobs", "jobs", v)
}

type jobFormView struct {
	AgentId  string
	Agent    *model.Agent
	Types    []model.JobType
	Type     *model.JobType
	TypeName string
	Problem  string
}

// handleJobForm is the form to schedule a custom job: pick the job type,
// then its fields, pre-filled with their defaults.
func (u *UI) handleJobForm(w http.ResponseWriter, r *http.Request) {
	v := jobFormView{AgentId: strings.TrimSpace(r.URL.Query().Get("agent")), TypeName: r.URL.Query().Get("type")}
	types, err := u.allJobTypes(r)
	if err != nil {
		u.render(w, r, http.StatusInternalServerError, "jobform.html", "Schedule a job", "jobs", u.problemText(r, err))
		return
	}
	v.Types = types
	for i := range types {
		if strings.EqualFold(types[i].JobTypeName, v.TypeName) {
			v.Type = &types[i]
		}
	}
	if v.AgentId != "" {
		if a, err := u.Mock.Agent(r.Context(), v.AgentId); err == nil {
			v.Agent = &a
		} else {
			v.Problem = u.problemText(r, err)
		}
	}
	u.render(w, r, http.StatusOK, "jobform.html", "Schedule a job", "jobs", v)
}

// handleJobSchedule schedules the job the form describes, as POST
// /OrchestratorJobs/Custom would: empty fields are left out, so their
// defaults apply.
func (u *UI) handleJobSchedule(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		u.done(w, r, Prefix+"/jobs/new", "", model.Errorf(model.Malformed, "The form could not be read: %v.", err))
		return
	}
	agent, typeName := strings.TrimSpace(r.PostForm.Get("agent")), r.PostForm.Get("type")
	back := Prefix + "/jobs/new?agent=" + url.QueryEscape(agent) + "&type=" + url.QueryEscape(typeName)
	id, err := model.BodyGUID("AgentId", agent)
	if err != nil {
		u.done(w, r, back, "", err)
		return
	}
	fields := map[string]model.Scalar{}
	for key, vs := range r.PostForm {
		name, ok := strings.CutPrefix(key, "field.")
		if ok && len(vs) > 0 && vs[0] != "" {
			fields[name] = model.Scalar{Value: vs[0], Set: true}
		}
	}
	sched, err := formSchedule(r)
	if err != nil {
		u.done(w, r, back, "", err)
		return
	}
	resp, err := u.Mock.Store().ScheduleJob(r.Context(), store.ScheduleJobInput{AgentId: id, JobTypeName: typeName, Schedule: sched, JobFields: fields})
	if err != nil {
		u.done(w, r, back, "", err)
		return
	}
	fieldText := make([]string, len(resp.JobFields))
	for i, f := range resp.JobFields {
		fieldText[i] = f.JobTypeField + "=" + deref(f.Value)
	}
	msg := "Scheduled " + resp.JobTypeName + " job " + resp.JobId
	if len(fieldText) > 0 {
		msg += " with " + strings.Join(fieldText, ", ")
	}
	u.done(w, r, Prefix+"/jobs", msg+".", nil)
}

// formSchedule reads the schedule of the job form: immediate, every N
// minutes, or once at a time (UTC).
func formSchedule(r *http.Request) (*model.Schedule, error) {
	switch r.PostForm.Get("schedule") {
	case "", "immediate":
		return nil, nil
	case "interval":
		n, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("minutes")))
		if err != nil || n < 1 {
			return nil, model.Errorf(model.Invalid, "Schedule.Interval.Minutes must be a whole number of minutes, at least 1.")
		}
		return &model.Schedule{Interval: &model.IntervalModel{Minutes: int32(n)}}, nil
	case "once":
		t, err := time.Parse("2006-01-02T15:04", strings.TrimSpace(r.PostForm.Get("at")))
		if err != nil {
			return nil, model.Errorf(model.Invalid, "Schedule.ExactlyOnce.Time must be a date and time such as 2026-12-31T23:00 (UTC).")
		}
		return &model.Schedule{ExactlyOnce: &model.TimeModel{Time: model.NewTime(t)}}, nil
	}
	return nil, model.Errorf(model.Invalid, "Schedule %q is not immediate, interval or once.", r.PostForm.Get("schedule"))
}

func (u *UI) handleJobStart(w http.ResponseWriter, r *http.Request) {
	run, err := u.Mock.StartJob(r.Context(), chi.URLParam(r, "id"))
	u.done(w, r, backTo(r, "/jobs"), fmt.Sprintf("Run %d is in process.", run.JobHistoryId), err)
}

// handleJobComplete ends a job's waiting or in-process run with the
// result and message of the form.
func (u *UI) handleJobComplete(w http.ResponseWriter, r *http.Request) {
	c := model.Completion{Result: int(model.JobResultNames[r.PostFormValue("result")])}
	if err := mock.CheckResult(c.Result); err != nil {
		u.done(w, r, backTo(r, "/jobs"), "", err)
		return
	}
	if msg := r.PostFormValue("message"); msg != "" {
		c.Message = &msg
	}
	run, err := u.Mock.CompleteJob(r.Context(), chi.URLParam(r, "id"), c)
	u.done(w, r, backTo(r, "/jobs"), fmt.Sprintf("Run %d completed: %s.", run.JobHistoryId, nameOf(model.JobResultNames, run.Result)), err)
}

func (u *UI) handleJobUnschedule(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	n, err := u.Mock.Store().UnscheduleJobs(r.Context(), []string{id}, "")
	if err == nil && n == 0 {
		err = model.Errorf(model.Invalid, "Job %s is not scheduled: it ran, or was unscheduled, already.", id)
	}
	u.done(w, r, backTo(r, "/jobs"), "Unscheduled job "+id+".", err)
}

// handleRunAction acknowledges or reschedules one run, as POST
// /OrchestratorJobs/Acknowledge or /Reschedule with its id; a run the
// action does not apply to (Command skips it) is reported with unchanged.
func (u *UI) handleRunAction(do func(*store.Store, context.Context, []int64, string) (int, error), ok, unchanged string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
		if err != nil {
			u.done(w, r, backTo(r, "/jobs"), "", model.Errorf(model.NotFound, "Job run %s was not found.", chi.URLParam(r, "id")))
			return
		}
		n, err := do(u.Mock.Store(), r.Context(), []int64{id}, "")
		if err == nil && n == 0 {
			err = model.Errorf(model.Invalid, unchanged, id)
		}
		u.done(w, r, backTo(r, "/jobs"), fmt.Sprintf(ok, id), err)
	}
}

// here is the URL of the page r asks for, for its forms to come back to.
func here(r *http.Request) string {
	if r.URL.RawQuery == "" {
		return Prefix + r.URL.Path
	}
	return Prefix + r.URL.Path + "?" + r.URL.RawQuery
}

// backTo is where an action goes back to: the page the form names in
// "back" (a dashboard path), else def under Prefix.
func backTo(r *http.Request, def string) string {
	if b := r.PostFormValue("back"); b != "" {
		return localPath(b)
	}
	return Prefix + def
}
