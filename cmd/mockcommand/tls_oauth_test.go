package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/mockcommand/mockcommand/internal/certs"
	"time"
)

// trusting returns an HTTP client that trusts only the CA in caFile.
func trusting(t *testing.T, caFile string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", caFile)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func getStatus(t *testing.T, client *http.Client, u string) int {
	t.Helper()
	resp, err := client.Do(kfRequest("GET", u, ""))
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func TestRun_SelfSignedTLS(t *testing.T) {
	ca := filepath.Join(t.TempDir(), "ca.pem")
	base := startRun(t, nil, "--tls-self-signed", "--tls-ca-out", ca, "--tls-hosts", "localhost,127.0.0.1")
	if !strings.HasPrefix(base, "https://127.0.0.1:") {
		t.Fatalf("server URL %s, want https", base)
	}
	client := trusting(t, ca)
	if code := getStatus(t, client, base+"/KeyfactorAPI/Status/Endpoints"); code != 200 {
		t.Errorf("GET /Status/Endpoints over HTTPS with only the CA = %d", code)
	}
	// The certificate names localhost too, as clients build URLs from a host name.
	port := strings.TrimPrefix(base, "https://127.0.0.1")
	if code := getStatus(t, client, "https://localhost"+port+"/KeyfactorAPI/Agents"); code != 200 {
		t.Errorf("GET via https://localhost = %d", code)
	}
	// Plain HTTP to the TLS port is not served, and clients without the CA refuse the server.
	if resp, err := http.Get("http" + strings.TrimPrefix(base, "https") + "/_mock/health"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("plain HTTP was served on the HTTPS port")
		}
	}
	if _, err := http.Get(base + "/_mock/health"); err == nil {
		t.Error("a client with only the system roots trusted the throwaway CA")
	}
	// The healthcheck subcommand, given the same settings, finds it healthy.
	addr := strings.TrimPrefix(base, "https://")
	var out strings.Builder
	if err := run(context.Background(), []string{"healthcheck", "--addr", addr, "--tls-self-signed"}, func(string) string { return "" }, &out, io.Discard); err != nil || !strings.Contains(out.String(), "healthy") {
		t.Errorf("healthcheck over TLS: %v %q", err, out.String())
	}
	// Asked in plain HTTP, it fails.
	if err := run(context.Background(), []string{"healthcheck", "--addr", addr}, func(string) string { return "" }, io.Discard, io.Discard); err == nil {
		t.Error("healthcheck in plain HTTP against an HTTPS server succeeded")
	}
}

func TestRun_TLSCertificateFiles(t *testing.T) {
	dir := t.TempDir()
	s, err := certs.Generate([]string{"127.0.0.1"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	leaf, key := writePEMs(t, dir, s)
	base := startRun(t, nil, "--tls-cert", leaf, "--tls-key", key)
	ca := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(ca, s.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if code := getStatus(t, trusting(t, ca), base+"/KeyfactorAPI/Agents"); code != 200 {
		t.Errorf("GET /Agents with --tls-cert = %d", code)
	}
}

func TestHealthcheck_FailsWhenNothingListens(t *testing.T) {
	err := run(context.Background(), []string{"healthcheck", "--addr", "127.0.0.1:1"}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil {
		t.Error("healthcheck succeeded with no server")
	}
	// The address comes from the environment as for the server; ":port" asks the loopback.
	base := startRun(t, nil)
	port := base[strings.LastIndex(base, ":"):]
	env := map[string]string{"MOCKCOMMAND_ADDR": port}
	if err := run(context.Background(), []string{"healthcheck"}, func(k string) string { return env[k] }, io.Discard, io.Discard); err != nil {
		t.Errorf("healthcheck with MOCKCOMMAND_ADDR=%s: %v", port, err)
	}
}

// headers adds the Keyfactor header to an OAuth client's requests.
type headers struct{ base http.RoundTripper }

func (h headers) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("x-keyfactor-requested-with", "APIClient")
	return h.base.RoundTrip(r)
}

func TestRun_OAuthClientCredentials(t *testing.T) {
	base := startRun(t, nil, "--auth", "oauth", "--oauth-clients", "ci-tool:s3cret,other:pw", "--oauth-scope", "keyfactor-api",
		"--oauth-audience", "https://command.example.test", "--oauth-token-ttl", "10m")
	cc := func(secret string, style oauth2.AuthStyle, scopes ...string) *clientcredentials.Config {
		return &clientcredentials.Config{
			ClientID: "ci-tool", ClientSecret: secret, TokenURL: base + "/_mock/oauth/token", Scopes: scopes, AuthStyle: style,
			EndpointParams: url.Values{"audience": {"https://command.example.test"}},
		}
	}
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		ctx := context.WithValue(context.Background(), oauth2.HTTPClient, http.DefaultClient)
		cfg := cc("s3cret", style, "keyfactor-api")
		tok, err := cfg.Token(ctx)
		if err != nil || tok.TokenType != "Bearer" || time.Until(tok.Expiry) < 9*time.Minute {
			t.Fatalf("auth style %v: token %+v, %v", style, tok, err)
		}
		client := cfg.Client(ctx)
		client.Transport.(*oauth2.Transport).Base = headers{http.DefaultTransport}
		resp, err := client.Get(base + "/KeyfactorAPI/Agents")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("auth style %v: GET /Agents with the token = %d", style, resp.StatusCode)
		}
	}
	ctx := context.Background()
	if _, err := cc("wrong", oauth2.AuthStyleInHeader, "keyfactor-api").Token(ctx); err == nil || !strings.Contains(err.Error(), "invalid_client") {
		t.Errorf("wrong secret: %v, want invalid_client", err)
	}
	if _, err := cc("s3cret", oauth2.AuthStyleInHeader, "other-scope").Token(ctx); err == nil || !strings.Contains(err.Error(), "invalid_scope") {
		t.Errorf("missing scope: %v, want invalid_scope", err)
	}
	noAudience := cc("s3cret", oauth2.AuthStyleInHeader, "keyfactor-api")
	noAudience.EndpointParams = nil
	if _, err := noAudience.Token(ctx); err == nil || !strings.Contains(err.Error(), "audience") {
		t.Errorf("missing audience: %v", err)
	}

	// Without a token, with a made-up one, and with Basic: 401 with a Bearer challenge.
	for name, authz := range map[string]string{"none": "", "made-up token": "Bearer not-issued-here", "basic": "Basic YWRtaW46cGFzc3dvcmQ="} {
		req := kfRequest("GET", base+"/KeyfactorAPI/Agents", "")
		req.Header.Del("Authorization")
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") || len(b) != 0 {
			t.Errorf("%s: %d %q %q, want 401 with a Bearer challenge and no body", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), b)
		}
	}

	// Tokens expire by the mock's clock.
	tok, err := cc("s3cret", oauth2.AuthStyleInHeader, "keyfactor-api").Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bearer := func() int {
		req := kfRequest("GET", base+"/KeyfactorAPI/Agents", "")
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := bearer(); code != 200 {
		t.Fatalf("fresh token: %d", code)
	}
	resp, err := http.Post(base+"/_mock/clock", "application/json", strings.NewReader(`{"Advance":"11m"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code := bearer(); code != 401 {
		t.Errorf("token after its lifetime (by the mock clock): %d, want 401", code)
	}
}

// TestRun_OAuthDocExample runs the Go example of docs/authentication.md.
func TestRun_OAuthDocExample(t *testing.T) {
	base := startRun(t, nil, "--auth", "oauth")
	ctx := context.Background()
	cfg := clientcredentials.Config{ClientID: "mockcommand", ClientSecret: "mockcommand-secret",
		TokenURL: base + "/_mock/oauth/token"}
	client := cfg.Client(ctx) // add x-keyfactor-requested-with to its requests
	client.Transport.(*oauth2.Transport).Base = headers{http.DefaultTransport}
	resp, err := client.Get(base + "/KeyfactorAPI/Agents")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /Agents with the example's client = %d, want 200", resp.StatusCode)
	}
}

func TestRun_BasicAndOAuth(t *testing.T) {
	base := startRun(t, nil, "--auth", "oauth,basic")
	if code := call(t, "GET", base+"/KeyfactorAPI/Agents", "", nil); code != 200 {
		t.Errorf("Basic in basic,oauth mode: %d", code)
	}
	cfg := &clientcredentials.Config{ClientID: "mockcommand", ClientSecret: "mockcommand-secret", TokenURL: base + "/_mock/oauth/token"}
	client := cfg.Client(context.Background())
	client.Transport.(*oauth2.Transport).Base = headers{http.DefaultTransport}
	resp, err := client.Get(base + "/KeyfactorAPI/Agents")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("default OAuth client in basic,oauth mode: %d", resp.StatusCode)
	}
	req := kfRequest("GET", base+"/KeyfactorAPI/Agents", "")
	req.Header.Del("Authorization")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Values("WWW-Authenticate"); resp.StatusCode != 401 || len(got) != 2 {
		t.Errorf("no credentials: %d with challenges %q, want 401 with Basic and Bearer", resp.StatusCode, got)
	}
}

// writePEMs writes the server certificate chain and key of s as PEM files.
func writePEMs(t *testing.T, dir string, s *certs.SelfSigned) (certFile, keyFile string) {
	t.Helper()
	var chain []byte
	for _, der := range s.Server.Certificate {
		chain = append(chain, pemBlock("CERTIFICATE", der)...)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(s.Server.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, chain, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pemBlock("PRIVATE KEY", keyDER), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}
