package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// result is one measured run.
type result struct {
	endpoint, server string
	rps              float64
	p50, p99         time.Duration
	errors           uint64
	maxRSS           float64
}

// attack runs a vegeta attack at maximum rate with conns workers (each
// with its own keep-alive connection) for d, and returns the metrics.
func attack(ctx context.Context, t vegeta.Target, conns int, d time.Duration) vegeta.Metrics {
	a := vegeta.NewAttacker(
		vegeta.Workers(uint64(conns)), vegeta.MaxWorkers(uint64(conns)),
		vegeta.Connections(conns), vegeta.MaxConnections(conns),
		vegeta.KeepAlive(true), vegeta.Timeout(10*time.Second),
	)
	var m vegeta.Metrics
	results := a.Attack(vegeta.NewStaticTargeter(t), vegeta.ConstantPacer{Freq: 0}, d, "")
	done := ctx.Done()
	for {
		select {
		case res, ok := <-results:
			if !ok {
				m.Close()
				return m
			}
			m.Add(res)
		case <-done:
			a.Stop()
			done = nil // stopped: wait for the results in flight
		}
	}
}

// cpuIdle reads the machine's idle fraction over interval from /proc/stat.
func cpuIdle(interval time.Duration) float64 {
	read := func() (idle, total float64) {
		b, err := os.ReadFile("/proc/stat")
		if err != nil {
			return 0, 0
		}
		fields := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])[1:]
		for i, f := range fields {
			v, _ := strconv.ParseFloat(f, 64)
			total += v
			if i == 3 || i == 4 { // idle, iowait
				idle += v
			}
		}
		return idle, total
	}
	i0, t0 := read()
	time.Sleep(interval)
	i1, t1 := read()
	if t1 == t0 {
		return 1
	}
	return (i1 - i0) / (t1 - t0)
}

// settle waits until the machine is idle (or max has passed) and reports
// the idle fraction it saw last.
func settle(min float64, max time.Duration) float64 {
	deadline := time.Now().Add(max)
	for {
		idle := cpuIdle(500 * time.Millisecond)
		if idle >= min || time.Now().After(deadline) {
			return idle
		}
	}
}

// measure settles, warms up, then measures one server on one endpoint,
// sampling the RSS of proc (if any) during the measured run.
func measure(ctx context.Context, c config, t vegeta.Target, proc *process) (vegeta.Metrics, vegeta.Metrics, float64, float64) {
	idle := settle(c.idle, c.settleMax)
	warm := attack(ctx, t, c.conns, c.warmup)
	var maxRSS float64 // written by the sampler, read after wg.Wait
	stop := make(chan struct{})
	var wg sync.WaitGroup
	if proc != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					maxRSS = max(maxRSS, proc.rssMB())
				}
			}
		}()
	}
	m := attack(ctx, t, c.conns, c.duration)
	close(stop)
	wg.Wait()
	return warm, m, maxRSS, idle
}

func target(method, url, body string) vegeta.Target {
	h := http.Header{}
	setKeyfactorHeaders(h)
	return vegeta.Target{Method: method, URL: url, Body: []byte(body), Header: h}
}

func errorCount(m vegeta.Metrics) uint64 {
	return m.Requests - uint64(m.StatusCodes["200"])
}

func fmtDur(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
}
