package store

import (
	"context"
	"crypto"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/pki"
)

// ImportCertificate is a POST /Certificates/Import request.
type ImportCertificate struct {
	Certificate string // PEM (a certificate, and optionally its key), or base64 of DER or of a PKCS#12
	Password    string // of the PKCS#12
	Metadata    map[string]string
}

// ImportCertificate stores a certificate made elsewhere (with its key,
// from a PKCS#12 or a PEM key): a new one is ImportStatus 1; one already
// in the repository (by thumbprint) gets the metadata and key given, and
// is ImportStatus 2. It returns the certificate's id.
func (s *Store) ImportCertificate(ctx context.Context, in ImportCertificate) (id, status int, thumbprint string, err error) {
	cert, key, err := parseImport(in.Certificate, in.Password)
	if err != nil {
		return 0, 0, "", err
	}
	thumbprint = pki.Thumbprint(cert)
	err = s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		md, err := checkMetadataValues(ctx, tx, in.Metadata)
		if err != nil {
			return err
		}
		for k, v := range md {
			if v == "" {
				delete(md, k)
			}
		}
		err = tx.QueryRowContext(ctx, `SELECT id FROM certificates WHERE thumbprint = ? ORDER BY id LIMIT 1`, thumbprint).Scan(&id)
		switch {
		case err == nil:
			status = 2
			if len(md) > 0 {
				var current string
				if err := tx.QueryRowContext(ctx, `SELECT metadata FROM certificates WHERE id = ?`, id).Scan(&current); err != nil {
					return fmt.Errorf("load metadata: %w", err)
				}
				merged := map[string]string{}
				_ = json.Unmarshal([]byte(current), &merged)
				for k, v := range md {
					merged[k] = v
				}
				doc, _ := json.Marshal(merged)
				if _, err := tx.ExecContext(ctx, `UPDATE certificates SET metadata = ? WHERE id = ?`, string(doc), id); err != nil {
					return fmt.Errorf("update metadata: %w", err)
				}
			}
		case err == sql.ErrNoRows:
			status = 1
			var ca *caRow
			if c, ok := issuingCA(ctx, tx, cert); ok {
				ca = &c
			}
			if id, _, err = insertCertificate(ctx, tx, cert, nil, ca, md, "import", now); err != nil {
				return err
			}
		default:
			return fmt.Errorf("find certificate: %w", err)
		}
		if key != nil {
			der, err := x509.MarshalPKCS8PrivateKey(key)
			if err != nil {
				return model.Errorf(model.Invalid, "Certificate: its private key is of a kind the mock cannot keep.")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE certificates SET key_pem = ? WHERE id = ?`, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), id); err != nil {
				return fmt.Errorf("keep key: %w", err)
			}
		}
		return nil
	})
	return id, status, thumbprint, err
}

// issuingCA finds the mock's CA that signed cert, if one did.
func issuingCA(ctx context.Context, tx *Tx, cert *x509.Certificate) (caRow, bool) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM cas ORDER BY id`)
	if err != nil {
		return caRow{}, false
	}
	ids, err := collect(rows, "CAs", func(rows *sql.Rows, id *int) error { return rows.Scan(id) })
	if err != nil {
		return caRow{}, false
	}
	for _, id := range ids {
		r, err := loadCA(ctx, tx, `id = ?`, id)
		if err == nil && cert.CheckSignatureFrom(r.authority.Cert) == nil {
			return r, true
		}
	}
	return caRow{}, false
}

// parseImport reads an imported certificate: PEM (a CERTIFICATE block and
// optionally a PRIVATE KEY block), or base64 of a DER certificate or of a
// PKCS#12 (opened with password).
func parseImport(text, password string) (*x509.Certificate, crypto.Signer, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil, model.Errorf(model.Invalid, "Certificate is required: PEM, or base64 of a DER certificate or a PKCS#12.")
	}
	if strings.HasPrefix(text, "-----BEGIN") {
		var cert *x509.Certificate
		var key crypto.Signer
		rest := []byte(text)
		for {
			var block *pem.Block
			block, rest = pem.Decode(rest)
			if block == nil {
				break
			}
			switch block.Type {
			case "CERTIFICATE":
				if cert == nil {
					c, err := x509.ParseCertificate(block.Bytes)
					if err != nil {
						return nil, nil, model.Errorf(model.Invalid, "Certificate: the PEM certificate does not parse (%s).", strings.TrimPrefix(err.Error(), "x509: "))
					}
					cert = c
				}
			case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
				k, err := parseKey(block)
				if err != nil {
					return nil, nil, model.Errorf(model.Invalid, "Certificate: the PEM %s does not parse; give PKCS#8, PKCS#1 (RSA) or SEC 1 (EC).", strings.ToLower(block.Type))
				}
				key = k
			}
		}
		if cert == nil {
			return nil, nil, model.Errorf(model.Invalid, "Certificate: the PEM text holds no CERTIFICATE block.")
		}
		return cert, key, matchKey(cert, key)
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
	if err != nil {
		return nil, nil, model.Errorf(model.Invalid, "Certificate: it is neither PEM nor base64.")
	}
	if cert, err := x509.ParseCertificate(der); err == nil {
		return cert, nil, nil
	}
	k, cert, _, err := pkcs12.DecodeChain(der, password)
	if err != nil {
		if err == pkcs12.ErrIncorrectPassword {
			return nil, nil, model.Errorf(model.Invalid, "Password does not open the PKCS#12.")
		}
		return nil, nil, model.Errorf(model.Invalid, "Certificate: it is neither a DER certificate nor a PKCS#12 holding a certificate and its key.")
	}
	key, _ := k.(crypto.Signer)
	return cert, key, matchKey(cert, key)
}

// parseKey reads a PEM private key: PKCS#8, PKCS#1 (RSA) or SEC 1 (EC).
func parseKey(block *pem.Block) (crypto.Signer, error) {
	var k any
	var err error
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	}
	if err != nil {
		return nil, err
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("not a signing key")
	}
	return signer, nil
}

// matchKey checks that an imported key is the certificate's.
func matchKey(cert *x509.Certificate, key crypto.Signer) error {
	if key == nil {
		return nil
	}
	a, errA := x509.MarshalPKIXPublicKey(cert.PublicKey)
	b, errB := x509.MarshalPKIXPublicKey(key.Public())
	if errA != nil || errB != nil || string(a) != string(b) {
		return model.Errorf(model.Invalid, "Certificate: the private key given is not the certificate's.")
	}
	return nil
}

// DeleteCertificates deletes each certificate of ids it can (DELETE
// /Certificates) and returns the others with the reason.
func (s *Store) DeleteCertificates(ctx context.Context, ids []int) (failed map[int]string, err error) {
	return deleteEach(ctx, s, ids, deleteCertificate)
}
