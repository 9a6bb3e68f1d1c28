package ui

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/mock"
	"github.com/mockcommand/mockcommand/internal/model"
)

func (u *UI) overviewRoutes(r chi.Router) {
	r.Get("/", u.handleOverview)
	r.Post("/reset", u.handleReset)
	r.Post("/clock", u.handleClock)
	r.Post("/mode", u.handleMode)
}

// count is one figure of the overview, linked to where it is listed.
type count struct {
	Label string
	N     int
	Href  string
}

type overviewView struct {
	Agents   []count
	Jobs     []count
	Runs     []count
	Stores   []count
	Now      time.Time
	Frozen   bool
	Mode     string
	Modes    []string
	Info     Info
	Started  time.Time
	Uptime   string
	Seeded   time.Time
	Fixtures string
}

func (u *UI) handleOverview(w http.ResponseWriter, r *http.Request) {
	st := u.Mock.Store()
	c, err := st.Counts(r.Context())
	if err != nil {
		u.render(w, r, http.StatusInternalServerError, "overview.html", "Overview", "overview", u.problemText(r, err))
		return
	}
	v := overviewView{Info: u.Info, Mode: u.Mock.JobMode().Mode, Modes: []string{mock.ModeCheckIn, mock.ModeImmediate, mock.ModeManual},
		Started: u.Mock.Started(), Uptime: time.Since(u.Mock.Started()).Round(time.Second).String()}
	clk := u.Mock.Clock()
	v.Now, v.Frozen = clk.Now, clk.Frozen
	v.Seeded, v.Fixtures = st.SeedState()
	for _, s := range []int{model.AgentNew, model.AgentApproved, model.AgentDisapproved} {
		v.Agents = append(v.Agents, count{agentStatusName(s), c.AgentsByStatus[s], Prefix + "/orchestrators?q=Status+-eq+" + strconv.Itoa(s)})
	}
	v.Jobs = []count{
		{"Job types", c.JobTypes, Prefix + "/jobtypes"},
		{"Scheduled jobs", c.ScheduledJobs, Prefix + "/jobs"},
	}
	for _, s := range []int{model.JobStatusWaiting, model.JobStatusInProcess, model.JobStatusCompleted, model.JobStatusAcknowledged, model.JobStatusCompletedWillRetry} {
		v.Runs = append(v.Runs, count{nameOf(model.JobStatusNames, s), c.RunsByStatus[s], Prefix + "/jobs?hq=Status+-eq+" + strconv.Itoa(s)})
	}
	v.Stores = []count{
		{"Store types", c.StoreTypes, ""},
		{"Certificate stores", c.Stores, Prefix + "/stores"},
		{"Certificates", c.Certificates, Prefix + "/certificates"},
	}
	u.render(w, r, http.StatusOK, "overview.html", "Overview", "overview", v)
}

func agentStatusName(s int) string { return nameOf(model.AgentStatusNames, s) }

// handleReset returns the mock to its fixtures; with "all" it also clears
// the journal and the faults and puts the clock back to real time.
func (u *UI) handleReset(w http.ResponseWriter, r *http.Request) {
	all := r.PostFormValue("all") != ""
	err := u.Mock.Reset(r.Context(), all)
	msg := "Reset to the fixtures."
	if all {
		msg = "Reset to the fixtures; the journal, the faults and the clock too."
	}
	u.done(w, r, Prefix+"/", msg, err)
}

// handleClock advances the mock's clock by a duration (90m, 24h), or puts
// it back to real time.
func (u *UI) handleClock(w http.ResponseWriter, r *http.Request) {
	var change mock.ClockChange
	if r.PostFormValue("real") != "" {
		change.Real = true
	} else {
		d, err := mock.ParseDuration(r.PostFormValue("advance"))
		if err != nil {
			u.done(w, r, Prefix+"/", "", model.Errorf(model.Invalid, "Advance: %v.", err))
			return
		}
		change.Advance = &d
	}
	c, err := u.Mock.ChangeClock(r.Context(), change)
	u.done(w, r, Prefix+"/", "The clock reads "+c.Now.UTC().Format(time.RFC3339)+".", err)
}

// handleMode switches the job mode (checkin, immediate, manual), keeping
// the scripts, and the check-in delay for a switch back to checkin.
func (u *UI) handleMode(w http.ResponseWriter, r *http.Request) {
	jm := u.Mock.JobMode()
	if jm.Mode == mock.ModeCheckIn && jm.PickupDelay > 0 {
		u.pickup.Store(int64(jm.PickupDelay))
	}
	jm.Mode, jm.PickupDelay = strings.ToLower(strings.TrimSpace(r.PostFormValue("mode"))), 0
	if jm.Mode == mock.ModeCheckIn {
		jm.PickupDelay = time.Duration(u.pickup.Load()) // 0: the default
	}
	err := u.Mock.SetJobMode(r.Context(), jm)
	u.done(w, r, backTo(r, "/"), "Job mode: "+u.Mock.JobMode().Mode+".", err)
}
