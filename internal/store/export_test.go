package store

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/pki"
)

// WriteStats reports how many write operations ran and in how many
// transactions (their ratio is the average group-commit batch), for the
// benchmarks.
func WriteStats(s *Store) (ops, commits uint64) { return s.writeOps.Load(), s.commits.Load() }

// DBPath is the database file in use.
func DBPath(s *Store) string { return s.path }

// Anchors is how many page anchors the store remembers.
func Anchors(s *Store) int {
	s.anchors.mu.Lock()
	defer s.anchors.mu.Unlock()
	return s.anchors.count
}

// ValidAnchors is how many page anchors of the agent listing opts (its
// filter, order and page size) are usable now.
func ValidAnchors(s *Store, opts ListOptions) int {
	l, err := s.newListing(agentPager, opts, s.now())
	if err != nil {
		panic(err)
	}
	s.anchors.mu.Lock()
	defer s.anchors.mu.Unlock()
	set := s.anchors.listings[l.id]
	if set == nil || set.version != s.columnsVersion(agentPager.table, l.columns) {
		return 0
	}
	return len(set.pages)
}

// BulkCertificates adds n certificates to the repository for the listing
// benchmarks: each row has its own CN, serial, thumbprint, dates and
// state (a tenth revoked, a tenth expired) around one real certificate
// issued by the first CA on the first template, whose DER they share.
func BulkCertificates(s *Store, n int) error {
	ctx := context.Background()
	return s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		t, validity, err := enrollmentTemplate(ctx, tx, "WebServer", 2)
		if err != nil {
			return err
		}
		ca, err := enrollmentCA(ctx, tx, "", t.CommonName)
		if err != nil {
			return err
		}
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		cert, err := ca.authority.Issue(pki.Request{PublicKey: key.Public(), Subject: pkix.Name{CommonName: "bulk"}, Validity: validity}, now)
		if err != nil {
			return err
		}
		for i := range n {
			issued := now.Add(-time.Duration(i%400) * 24 * time.Hour)
			c, err := certificateAnswer(cert, i+1, 5000+i, &t, &ca, "bench", issued)
			if err != nil {
				return err
			}
			cn := fmt.Sprintf("host-%06d.site%02d.corp.example.com", i, i%40)
			dn := "CN=" + cn
			c.IssuedCN, c.IssuedDN = &cn, &dn
			c.Thumbprint, c.SerialNumber = fmt.Sprintf("%040X", uint64(i)*2654435761), fmt.Sprintf("%032X", uint64(i)*40503)
			c.NotBefore, c.NotAfter = model.NewTime(issued), model.NewTime(issued.Add(validity))
			if i%10 == 3 {
				c.CertState, c.CertStateString = model.CertStateRevoked, "Revoked"
			}
			doc, err := json.Marshal(c)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO certificates (id, request_id, thumbprint, serial_number, issued_dn, issued_cn, issuer_dn,
				not_before, not_after, import_date, cert_state, template_id, template_name, ca_id, ca_name, key_size, key_type, der, doc)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				c.Id, *c.CertRequestId, c.Thumbprint, c.SerialNumber, dn, cn, c.IssuerDN, c.NotBefore.String(), c.NotAfter.String(),
				c.ImportDate.String(), c.CertState, t.Id, t.DisplayName, ca.id, "x", c.KeySizeInBits, c.KeyType, cert.Raw, string(doc)); err != nil {
				return err
			}
		}
		return nil
	})
}

// CAChainPEM returns the certificate of the CA named logical, as PEM.
func (s *Store) CAChainPEM(ctx context.Context, logical string) (string, error) {
	var out string
	err := s.readTx(ctx, func(tx *Tx) error {
		r, err := loadCA(ctx, tx, `logical_name = ?`, logical)
		out = r.certPEM
		return err
	})
	return out, err
}
