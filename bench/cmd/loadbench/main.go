// Command loadbench measures mockcommand under load over loopback with
// wrk, workload by workload, against a bare net/http server (the ceiling)
// that answers every request of the same workload with a body of the same
// size, so that the ratio of the two measures the mock, not the machine.
// It also measures Prism on the same routes, start-up times, and the slow
// case of a filtered 100k listing. See BENCHMARKS.md.
//
//	cd bench && go run ./cmd/loadbench            # the full run (about 15 minutes)
//	cd bench && go run ./cmd/loadbench -quick     # a short smoke run
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "loadbench:", err)
		os.Exit(1)
	}
}

type config struct {
	agents     int
	stores     int
	slowAgents int
	duration   time.Duration
	warmup     time.Duration
	conns      int
	threads    int
	rounds     int
	idle       float64
	settleMax  time.Duration
	mockBin    string
	out        string
	profiles   string
	prism      string
	only       map[string]bool
	skipStarts bool
}

func run(ctx context.Context, args []string) error {
	var c config
	fs := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	fs.IntVar(&c.agents, "agents", 10_000, "agents in the mock for the load runs")
	fs.IntVar(&c.stores, "stores", 10_000, "certificate stores in the mock for the load runs")
	fs.IntVar(&c.slowAgents, "slow-agents", 100_000, "agents for the slow-listing case and the large start-up (0 to skip)")
	fs.DurationVar(&c.duration, "duration", 5*time.Second, "measured time of each run")
	fs.DurationVar(&c.warmup, "warmup", 2*time.Second, "unmeasured load before each run")
	fs.IntVar(&c.conns, "conns", 32, "concurrent connections")
	fs.IntVar(&c.threads, "threads", 2, "wrk threads")
	fs.IntVar(&c.rounds, "rounds", 3, "interleaved ceiling/mock rounds per workload")
	fs.Float64Var(&c.idle, "idle", 0.85, "CPU idle fraction to wait for before each run")
	fs.DurationVar(&c.settleMax, "settle-max", 30*time.Second, "longest wait for the machine to settle")
	fs.StringVar(&c.mockBin, "mock", "", "mockcommand binary (default: build it)")
	fs.StringVar(&c.out, "out", "", "also write the results as Markdown to this file")
	fs.StringVar(&c.profiles, "profiles", "", "write a CPU profile of the mock per workload (and its top functions) to this directory")
	fs.StringVar(&c.prism, "prism", "", "Prism's command (e.g. node_modules/.bin/prism); empty to skip Prism")
	only := fs.String("only", "", "comma-separated workload names to run (default: all)")
	quick := fs.Bool("quick", false, "short smoke run: 2s runs, 1 round, 20k agents for the slow case")
	ceiling := fs.String("serve-ceiling", "", "internal: serve the ceiling from this directory")
	addr := fs.String("addr", "127.0.0.1:0", "internal: the ceiling's listen address")
	fs.BoolVar(&c.skipStarts, "skip-starts", false, "do not time start-ups")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *ceiling != "" {
		return serveCeiling(ctx, *ceiling, *addr)
	}
	if *only != "" {
		c.only = map[string]bool{}
		for _, n := range strings.Split(*only, ",") {
			c.only[strings.TrimSpace(n)] = true
		}
	}
	if *quick {
		c.duration, c.warmup, c.rounds, c.settleMax = 2*time.Second, time.Second, 1, 5*time.Second
		if c.slowAgents > 20_000 {
			c.slowAgents = 20_000
		}
	}
	return bench(ctx, c)
}
