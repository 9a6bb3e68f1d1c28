package ui

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/model"
)

func (u *UI) orchestratorRoutes(r chi.Router) {
	r.Get("/orchestrators", u.handleOrchestrators)
	r.Get("/orchestrators/{id}", u.handleOrchestrator)
	r.Post("/orchestrators/{id}/{action}", u.handleOrchestratorAction)
}

type orchestratorsView struct {
	L     *listing
	Rows  []model.Agent
	Pager pager
}

// handleOrchestrators lists orchestrators as GET /Agents would, with the
// same query language, sort fields, paging and errors.
func (u *UI) handleOrchestrators(w http.ResponseWriter, r *http.Request) {
	l := readListing(r, "/orchestrators", "", "orchestrators", `Status -eq 2 AND Capabilities -contains "LOGS"`)
	v := orchestratorsView{L: l}
	var rows []model.Agent
	var err error
	if l.Problem == nil {
		rows, err = u.Mock.Store().ListAgents(r.Context(), l.options())
	}
	if err != nil {
		u.fail(r, l, err)
	}
	v.Rows, v.Pager = rows, l.Pager(len(rows) == l.Limit)
	u.render(w, r, l.status(), "orchestrators.html", "Orchestrators", "orchestrators", v)
}

type orchestratorView struct {
	A       model.Agent
	Actions []action
}

// action is a button that POSTs to the dashboard.
type action struct {
	Path, Label string
	Danger      bool
}

// orchestratorActions are what an orchestrator's page offers, by the API
// call each stands for.
var orchestratorActions = []struct {
	name, label string
	do          func(u *UI, r *http.Request, id string) (string, error)
}{
	{"approve", "Approve", func(u *UI, r *http.Request, id string) (string, error) {
		return "Approved.", u.Mock.Store().ApproveAgents(r.Context(), []string{id})
	}},
	{"disapprove", "Disapprove", func(u *UI, r *http.Request, id string) (string, error) {
		return "Disapproved.", u.Mock.Store().DisapproveAgents(r.Context(), []string{id})
	}},
	{"reset", "Reset", func(u *UI, r *http.Request, id string) (string, error) {
		return "Reset: the orchestrator is New again.", u.Mock.Store().ResetAgent(r.Context(), id)
	}},
	{"fetchlogs", "Fetch logs", func(u *UI, r *http.Request, id string) (string, error) {
		job, err := u.Mock.Store().FetchLogs(r.Context(), id)
		return "Scheduled a FetchLogs job: " + job.JobId + ".", err
	}},
	{"reenroll", "Request re-enrollment", func(u *UI, r *http.Request, id string) (string, error) {
		failed, err := u.Mock.Store().SetAuthCertificateReenrollment(r.Context(), []string{id}, 1)
		if err == nil && len(failed) > 0 {
			err = model.Errorf(model.NotFound, "Orchestrator %s was not found.", id)
		}
		return "Re-enrollment of the auth certificate requested.", err
	}},
}

func (u *UI) handleOrchestrator(w http.ResponseWriter, r *http.Request) {
	a, err := u.Mock.Agent(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		p := u.Describe(r, err)
		u.render(w, r, p.Status, "message.html", "Orchestrator", "orchestrators", p.ErrorCode+": "+p.Message)
		return
	}
	v := orchestratorView{A: a}
	for _, act := range orchestratorActions {
		v.Actions = append(v.Actions, action{Path: Prefix + "/orchestrators/" + a.AgentId + "/" + act.name, Label: act.label,
			Danger: act.name == "disapprove" || act.name == "reset"})
	}
	u.render(w, r, http.StatusOK, "orchestrator.html", "Orchestrator "+deref(a.ClientMachine), "orchestrators", v)
}

func (u *UI) handleOrchestratorAction(w http.ResponseWriter, r *http.Request) {
	id, name := chi.URLParam(r, "id"), strings.ToLower(chi.URLParam(r, "action"))
	norm, err := model.NormalizeGUID(id)
	back := Prefix + "/orchestrators"
	if err == nil {
		back += "/" + norm
	}
	for _, act := range orchestratorActions {
		if act.name == name {
			if err != nil {
				u.done(w, r, back, "", model.Errorf(model.NotFound, "Orchestrator %s was not found.", id))
				return
			}
			msg, err := act.do(u, r, norm)
			u.done(w, r, back, msg, err)
			return
		}
	}
	u.render(w, r, http.StatusNotFound, "message.html", "Not found", "", "No such action: "+name+".")
}
