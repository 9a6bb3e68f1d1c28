package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// startPrism runs Prism (stoplight/prism, in mock mode) on the mock's own
// OpenAPI document, so that the two answer the same routes.
func startPrism(ctx context.Context, c config, tmp string) (*target, error) {
	p, _, err := startMock(ctx, c)
	if err != nil {
		return nil, err
	}
	_, doc, err := fetch("GET", p.url+"/_mock/openapi.json", "")
	p.stop()
	if err != nil {
		return nil, err
	}
	spec := filepath.Join(tmp, "openapi.json")
	if err := os.WriteFile(spec, doc, 0o644); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	args := append(strings.Fields(c.prism), "mock", spec, "-h", "127.0.0.1", "-p", fmt.Sprint(port))
	proc, ready, err := start(ctx, args[0], "", args[1:]...)
	if err != nil {
		return nil, fmt.Errorf("prism: %w", err)
	}
	fmt.Printf("prism ready in %s at %s\n", fmtMs(ready), proc.url)
	return &target{label: "prism", base: proc.url, proc: proc}, nil
}
