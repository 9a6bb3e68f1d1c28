// Command curl stands in for the options of curl that compose.yaml's
// client service uses (--fail-with-body, --cacert, --user, --header), so
// that TestContainer can run compose.yaml where no image registry is
// reachable. It is built into a scratch image tagged as the client's.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "curl:", err)
		os.Exit(22)
	}
}

func run(args []string) error {
	var url, cacert, user string
	var headers []string
	fail := false
	for i := 0; i < len(args); i++ {
		value := func() string {
			if i+1 < len(args) {
				i++
				return args[i]
			}
			return ""
		}
		switch a := args[i]; a {
		case "--fail-with-body", "-f", "--fail", "-s", "--silent":
			fail = fail || strings.HasPrefix(a, "-f") || strings.HasPrefix(a, "--fail")
		case "--cacert":
			cacert = value()
		case "-u", "--user":
			user = value()
		case "-H", "--header":
			headers = append(headers, value())
		default:
			if strings.HasPrefix(a, "-") {
				return fmt.Errorf("option %s is not one the stand-in knows", a)
			}
			url = a
		}
	}
	tr := &http.Transport{}
	if cacert != "" {
		pem, err := os.ReadFile(cacert)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("no certificate in %s", cacert)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	if u, p, ok := strings.Cut(user, ":"); ok {
		req.SetBasicAuth(u, p)
	}
	resp, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(os.Stdout, resp.Body); err != nil {
		return err
	}
	if fail && resp.StatusCode >= 400 {
		return fmt.Errorf("the requested URL returned error: %d", resp.StatusCode)
	}
	return nil
}
