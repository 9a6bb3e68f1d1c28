package commandtest

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// Certificates, in Command's wire shapes.
type (
	CSREnrollment = model.CSREnrollmentResponse // the answer of POST /Enrollment/CSR
	MetadataField = model.MetadataField         // a certificate metadata field
)

// RootCAs returns the mock's root CA certificates as PEM, and as a pool a
// client can verify what the mock issues against.
func (s *Server) RootCAs() (string, *x509.CertPool, error) {
	pemText, err := s.mock.Store().RootCertificates(context.Background())
	if err != nil {
		return "", nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(pemText)) {
		return "", nil, errors.New("commandtest: the mock has no root CA (fixtures without cas.json)")
	}
	return pemText, pool, nil
}

// Enroll signs a CSR (PEM) on a template with the mock's CA, as POST
// /Enrollment/CSR does, with its chain, and returns the answer.
func (s *Server) Enroll(template, csrPEM string, sans map[string][]string) (CSREnrollment, error) {
	resp, err := s.mock.Store().Enroll(context.Background(), store.EnrollCSR{CSR: csrPEM, Template: template, IncludeChain: true, SANs: sans})
	if err != nil {
		return CSREnrollment{}, fmt.Errorf("enroll: %w", err)
	}
	return resp, nil
}

// SeedMetadataFields adds certificate metadata fields. Like a
// metadatafields.json fixture.
func (s *Server) SeedMetadataFields(fields ...MetadataField) ([]MetadataField, error) {
	out := make([]MetadataField, 0, len(fields))
	for _, f := range fields {
		created, err := s.mock.Store().CreateMetadataField(context.Background(), f)
		if err != nil {
			return nil, fmt.Errorf("seed metadata field %q: %w", f.Name, err)
		}
		out = append(out, created)
	}
	return out, nil
}
