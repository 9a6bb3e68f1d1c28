package commandtest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mockcommand/mockcommand/commandtest"
)

// logCollector stands for the code under test: a client of Keyfactor
// Command that finds approved orchestrators able to send their logs.
func logCollector(client *http.Client, baseURL string) ([]string, error) {
	q := url.Values{"pq.queryString": {`Status -eq 2 AND Capabilities -contains "LOGS"`}, "pq.sortField": {"ClientMachine"}}
	resp, err := client.Get(baseURL + "/Agents?" + q.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /Agents: %s", resp.Status)
	}
	var agents []struct{ ClientMachine string }
	if err := json.NewDecoder(resp.Body).Decode(&agents); err != nil {
		return nil, err
	}
	var names []string
	for _, a := range agents {
		names = append(names, a.ClientMachine)
	}
	return names, nil
}

// A contract test of a client: run it against the mock, check its answer,
// then check what it sent on the wire.
func Example() {
	s, err := commandtest.Start(commandtest.WithoutFixtures())
	if err != nil {
		panic(err)
	}
	defer s.Close()
	if _, err := s.SeedAgents(
		commandtest.Agent{ClientMachine: commandtest.Ptr("uo-01.example.test"), Status: 2, AgentPlatform: 7, Capabilities: []string{"LOGS"}},
		commandtest.Agent{ClientMachine: commandtest.Ptr("uo-02.example.test"), Status: 1, AgentPlatform: 7, Capabilities: []string{"LOGS"}},
		commandtest.Agent{ClientMachine: commandtest.Ptr("java-01.example.test"), Status: 2, AgentPlatform: 2},
	); err != nil {
		panic(err)
	}

	names, err := logCollector(s.Client, s.BaseURL)
	fmt.Println(names, err)

	for _, r := range s.Requests(commandtest.RequestQuery{Method: "GET", Path: "*/Agents"}) {
		fmt.Println(r.Method, r.Path, r.Status, r.Headers["X-Keyfactor-Requested-With"], r.Headers["Authorization"])
	}
	// Output:
	// [uo-01.example.test] <nil>
	// GET /KeyfactorAPI/Agents 200 [APIClient] [Basic admin:[redacted]]
}

// Drive a job through its lifecycle as the orchestrator would: schedule it
// through the API, then report a failure with result data.
func ExampleServer_CompleteJob() {
	s, err := commandtest.Start(commandtest.WithJobMode(commandtest.ModeManual), commandtest.WithClock(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)))
	if err != nil {
		panic(err)
	}
	defer s.Close()

	body := `{"AgentId":"c6f87718-6d76-407e-881e-d162ae2eb154","JobTypeName":"RebootHost","JobFields":{"Host":"web01"}}`
	resp, err := s.Client.Post(s.BaseURL+"/OrchestratorJobs/Custom", "application/json", strings.NewReader(body))
	if err != nil {
		panic(err)
	}
	var job struct{ JobId string }
	json.NewDecoder(resp.Body).Decode(&job)
	resp.Body.Close()

	msg, data := "host did not come back", `{"uptime":0}`
	run, err := s.CompleteJob(job.JobId, commandtest.Completion{Result: commandtest.ResultFailure, Message: &msg, Data: &data})
	if err != nil {
		panic(err)
	}
	fmt.Println(run.Status == commandtest.StatusCompleted, run.Result == commandtest.ResultFailure, *run.Message, run.OperationEnd)

	resp, err = s.Client.Get(fmt.Sprintf("%s/OrchestratorJobs/JobStatus/Data?jobHistoryId=%d", s.BaseURL, run.JobHistoryId))
	if err != nil {
		panic(err)
	}
	var out struct{ Data string }
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	fmt.Println(out.Data)
	// Output:
	// true true host did not come back 2026-11-28T09:00:00.000Z
	// {"uptime":0}
}

// Check that a client retries: the second POST fails with a 500, the
// client's retry succeeds.
func ExampleServer_AddFault() {
	s, err := commandtest.Start()
	if err != nil {
		panic(err)
	}
	defer s.Close()
	if _, err := s.AddFault(commandtest.FaultRule{Method: "POST", Path: "*/OrchestratorJobs/Custom", Status: 500, After: 1, Times: 1}); err != nil {
		panic(err)
	}
	post := func() int {
		body := `{"AgentId":"c6f87718-6d76-407e-881e-d162ae2eb154","JobTypeName":"FetchLogs"}`
		resp, err := s.Client.Post(s.BaseURL+"/OrchestratorJobs/Custom", "application/json", strings.NewReader(body))
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	fmt.Println(post(), post(), post())
	r := s.Faults()[0]
	fmt.Println("matched", r.Matched, "applied", r.Applied)
	// Output:
	// 200 500 200
	// matched 3 applied 1
}
