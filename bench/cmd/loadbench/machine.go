package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

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

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return "unknown CPU"
}

func fmtMs(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }
