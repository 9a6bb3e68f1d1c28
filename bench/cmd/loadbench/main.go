// Command loadbench measures mockcommand under load over loopback, with
// vegeta, against a bare net/http handler that returns a fixed JSON body of
// the same size (the ceiling of the machine). See BENCHMARKS.md.
//
//	cd bench && go run ./cmd/loadbench            # the full run (several minutes)
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
	agents    int
	scale     []int
	duration  time.Duration
	warmup    time.Duration
	conns     int
	rounds    int
	idle      float64
	settleMax time.Duration
	mockBin   string
	out       string
	ceiling   string // serve the ceiling from this body directory (internal: the ceiling process)
	addr      string
}

func run(ctx context.Context, args []string) error {
	var c config
	fs := flag.NewFlagSet("loadbench", flag.ContinueOnError)
	fs.IntVar(&c.agents, "agents", 10_000, "agents in the mock for the load runs")
	scale := fs.String("scale", "1000,100000", "agent counts for the latency-by-scale run (empty to skip)")
	fs.DurationVar(&c.duration, "duration", 10*time.Second, "measured time of each run")
	fs.DurationVar(&c.warmup, "warmup", 3*time.Second, "unmeasured load before each run")
	fs.IntVar(&c.conns, "conns", 32, "concurrent connections")
	fs.IntVar(&c.rounds, "rounds", 2, "interleaved ceiling/mock rounds per endpoint")
	fs.Float64Var(&c.idle, "idle", 0.85, "CPU idle fraction to wait for before each run")
	fs.DurationVar(&c.settleMax, "settle-max", 30*time.Second, "longest wait for the machine to settle")
	fs.StringVar(&c.mockBin, "mock", "", "mockcommand binary (default: build it)")
	fs.StringVar(&c.out, "out", "", "also write the results as Markdown to this file")
	quick := fs.Bool("quick", false, "short smoke run: 2s runs, 1 round, no scale run")
	fs.StringVar(&c.ceiling, "serve-ceiling", "", "internal: serve the ceiling bodies in this directory")
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "internal: ceiling listen address")
	writeTo := fs.String("write-fixtures", "", "only write a fixtures directory with -agents generated agents under this directory, and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *writeTo != "" {
		dir, err := writeFixtures(*writeTo, c.agents)
		if err == nil {
			fmt.Println(dir)
		}
		return err
	}
	if c.ceiling != "" {
		return serveCeiling(ctx, c.ceiling, c.addr)
	}
	var err error
	if c.scale, err = parseInts(*scale); err != nil {
		return fmt.Errorf("-scale: %w", err)
	}
	if *quick {
		c.duration, c.warmup, c.rounds, c.scale, c.settleMax = 2*time.Second, time.Second, 1, nil, 5*time.Second
	}
	return bench(ctx, c)
}

func parseInts(s string) ([]int, error) {
	var out []int
	for s != "" {
		part, rest, _ := strings.Cut(s, ",")
		var n int
		if _, err := fmt.Sscan(part, &n); err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive number", part)
		}
		out = append(out, n)
		s = rest
	}
	return out, nil
}
