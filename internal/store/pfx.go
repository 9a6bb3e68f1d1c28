package store

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/smallstep/pkcs7"
	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/pki"
)

// EnrollPFX is a POST /Enrollment/PFX request: the mock makes the key.
type EnrollPFX struct {
	Subject              string
	Template             string
	CertificateAuthority string
	Password             string
	IncludeChain         bool
	Metadata             map[string]string
	SANs                 map[string][]string
	Requester            string
	KeyType              string // v2: RSA or ECC; empty: the template's
	KeyLength            int    // v2: bits; 0: the template's
	NoBlob               bool   // format STORE: the key stays in Command
}

// EnrollPFX makes a key pair, issues its certificate on the template,
// keeps the key (so it can be recovered and deployed) and returns the
// PKCS#12 under the request's password.
func (s *Store) EnrollPFX(ctx context.Context, in EnrollPFX) (model.PFXEnrollmentResponse, error) {
	subject, err := pki.ParseSubject(in.Subject)
	if err != nil {
		return model.PFXEnrollmentResponse{}, model.Errorf(model.Invalid, "Subject: %s.", err.Error())
	}
	// The key and the signature are made outside the write transaction
	// (an RSA key takes up to a second), as for CSR enrollment.
	var key crypto.Signer
	var e enrollment
	err = s.readTx(ctx, func(tx *Tx) error {
		e, err = prepareEnrollment(ctx, tx, enrollmentSpec{template: in.Template, ca: in.CertificateAuthority, enrollType: 1,
			sans: in.SANs, metadata: in.Metadata, includeChain: in.IncludeChain,
			request: func(t *model.Template) (*x509.CertificateRequest, error) {
				var err error
				if key, err = newKey(t, in.KeyType, in.KeyLength); err != nil {
					return nil, err
				}
				return &x509.CertificateRequest{Subject: subject, PublicKey: key.Public()}, nil
			}})
		return err
	})
	if err != nil {
		return model.PFXEnrollmentResponse{}, err
	}
	t, ca, req, chain, md := e.t, e.ca, e.req, e.chain, e.md
	cert, err := issue(ca, req, s.now())
	if err != nil {
		return model.PFXEnrollmentResponse{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return model.PFXEnrollmentResponse{}, fmt.Errorf("encode key: %w", err)
	}
	blob := ""
	if !in.NoBlob {
		if blob, err = pfxBlob(key, cert, chain, in.Password); err != nil {
			return model.PFXEnrollmentResponse{}, err
		}
	}
	var id, requestID int
	err = s.writeTx(ctx, func(tx *Tx, now time.Time) error {
		var err error
		if id, requestID, err = insertCertificate(ctx, tx, cert, &t, &ca, md, in.Requester, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE certificates SET key_pem = ? WHERE id = ?`,
			string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})), id); err != nil {
			return fmt.Errorf("keep key: %w", err)
		}
		return nil
	})
	if err != nil {
		return model.PFXEnrollmentResponse{}, err
	}
	issuer := cert.Issuer.String()
	return model.PFXEnrollmentResponse{
		CertificateInformation: model.PFXCertificateInformation{
			SerialNumber: pki.SerialHex(cert), IssuerDN: &issuer, Thumbprint: pki.Thumbprint(cert), KeyfactorId: id,
			Pkcs12Blob: blob, Password: &in.Password, StoreIdsInvalidForRenewal: []string{}, KeyfactorRequestId: requestID,
			RequestDisposition: "ISSUED", DispositionMessage: "The private key was successfully retained.",
		},
		Metadata: md,
	}, nil
}

// newKey makes the key of a PFX enrollment: the request's type and
// length, or the template's, checked against the template's policy.
func newKey(t *model.Template, keyType string, bits int) (crypto.Signer, error) {
	if keyType == "" {
		keyType = t.KeyType
	}
	if bits == 0 && strings.EqualFold(keyType, t.KeyType) {
		bits, _ = strconv.Atoi(t.KeySize) // the template's size is for its own key type
	}
	switch strings.ToUpper(keyType) {
	case "RSA":
		if bits == 0 {
			bits = 2048
		}
		if !slices.Contains(t.TemplatePolicy.RSAValidKeySizes, bits) {
			return nil, model.Errorf(model.Invalid, "KeyLength %d: %s.", bits, allowedKeys(t))
		}
		return rsa.GenerateKey(rand.Reader, bits)
	case "ECC", "ECDSA", "EC":
		curves := map[int]elliptic.Curve{256: elliptic.P256(), 384: elliptic.P384(), 521: elliptic.P521()}
		if bits == 0 {
			bits = 256
		}
		c := curves[bits]
		if c == nil || !slices.Contains(t.TemplatePolicy.ECCValidCurves, c.Params().Name) {
			return nil, model.Errorf(model.Invalid, "KeyLength %d for an ECC key: %s.", bits, allowedKeys(t))
		}
		return ecdsa.GenerateKey(c, rand.Reader)
	}
	return nil, model.Errorf(model.Invalid, "KeyType %q is not valid; use RSA or ECC.", keyType)
}

// allowedKeys says which keys a template's policy allows.
func allowedKeys(t *model.Template) string {
	var parts []string
	if len(t.TemplatePolicy.RSAValidKeySizes) > 0 {
		parts = append(parts, "RSA keys of "+joinInts(t.TemplatePolicy.RSAValidKeySizes)+" bits")
	}
	if len(t.TemplatePolicy.ECCValidCurves) > 0 {
		parts = append(parts, "ECC keys on "+strings.Join(t.TemplatePolicy.ECCValidCurves, ", "))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("template %q allows no key", t.CommonName)
	}
	return fmt.Sprintf("template %q allows %s", t.CommonName, strings.Join(parts, " and "))
}

// pfxBlob encodes a key, its certificate and chain as base64 PKCS#12
// under password (AES-256 and PBKDF2, as current Windows and OpenSSL
// read them).
func pfxBlob(key crypto.Signer, cert *x509.Certificate, chain []*x509.Certificate, password string) (string, error) {
	der, err := pkcs12.Modern.Encode(key, cert, chain, password)
	if err != nil {
		return "", fmt.Errorf("encode PKCS#12: %w", err)
	}
	return base64.StdEncoding.EncodeToString(der), nil
}

// CertificateRef names a certificate as Download and Recover do: by id,
// thumbprint, or serial number and issuer.
type CertificateRef struct {
	Id                               int
	Thumbprint, SerialNumber, Issuer string
}

// storedCertificate is a certificate with its key, when the mock has it,
// and the CA that issued it.
type storedCertificate struct {
	id    int
	cert  *x509.Certificate
	key   crypto.Signer
	chain []*x509.Certificate // issuer first
}

func findCertificate(ctx context.Context, tx *Tx, ref CertificateRef) (storedCertificate, error) {
	cond, args := "", []any{}
	switch {
	case ref.Id != 0:
		cond, args = "id = ?", []any{ref.Id}
	case ref.Thumbprint != "":
		cond, args = "thumbprint = ?", []any{strings.ToUpper(strings.ReplaceAll(ref.Thumbprint, ":", ""))}
	case ref.SerialNumber != "" && ref.Issuer != "":
		cond, args = "serial_number = ? AND issuer_dn = ?", []any{strings.ToUpper(ref.SerialNumber), ref.Issuer}
	default:
		return storedCertificate{}, model.Errorf(model.Invalid, "Name the certificate: CertID, Thumbprint, or SerialNumber and IssuerDN.")
	}
	var sc storedCertificate
	var der []byte
	var keyPEM *string
	var caID *int
	err := tx.QueryRowContext(ctx, `SELECT id, der, key_pem, ca_id FROM certificates WHERE `+cond+` ORDER BY id LIMIT 1`, args...).Scan(&sc.id, &der, &keyPEM, &caID)
	if err == sql.ErrNoRows {
		return storedCertificate{}, model.Errorf(model.NotFound, "No certificate matches %s.", describeRef(ref))
	}
	if err != nil {
		return storedCertificate{}, fmt.Errorf("find certificate: %w", err)
	}
	if sc.cert, err = x509.ParseCertificate(der); err != nil {
		return storedCertificate{}, fmt.Errorf("stored certificate %d: %w", sc.id, err)
	}
	if keyPEM != nil {
		if b, _ := pem.Decode([]byte(*keyPEM)); b != nil {
			k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				return storedCertificate{}, fmt.Errorf("stored key of certificate %d: %w", sc.id, err)
			}
			sc.key, _ = k.(crypto.Signer)
		}
	}
	if caID != nil {
		if ca, err := loadCA(ctx, tx, `id = ?`, *caID); err == nil {
			sc.chain = caChain(ctx, tx, ca)
		}
	}
	return sc, nil
}

func describeRef(ref CertificateRef) string {
	switch {
	case ref.Id != 0:
		return fmt.Sprintf("CertID %d", ref.Id)
	case ref.Thumbprint != "":
		return fmt.Sprintf("Thumbprint %s", ref.Thumbprint)
	}
	return fmt.Sprintf("SerialNumber %s from %s", ref.SerialNumber, ref.Issuer)
}

// DownloadCertificate answers POST /Certificates/Download: the
// certificate (with its chain when asked; leaf first unless rootFirst) as
// PEM text, DER (the leaf only), a DER PKCS#7 bundle, or a PKCS#12 with its
// key under password, base64-encoded.
func (s *Store) DownloadCertificate(ctx context.Context, ref CertificateRef, format string, chain, rootFirst bool, password string) (string, error) {
	var out string
	err := s.readTx(ctx, func(tx *Tx) error {
		sc, err := findCertificate(ctx, tx, ref)
		if err != nil {
			return err
		}
		certs := []*x509.Certificate{sc.cert}
		if chain {
			certs = append(certs, sc.chain...)
		}
		if rootFirst {
			slices.Reverse(certs)
		}
		switch format {
		case "PFX":
			if sc.key == nil {
				return model.Errorf(model.Invalid, "Certificate %d has no private key in Command to download as PFX: it was enrolled from a CSR.", sc.id)
			}
			var extra []*x509.Certificate
			if chain {
				extra = sc.chain
			}
			out, err = pfxBlob(sc.key, sc.cert, extra, password)
			return err
		case "DER":
			out = base64.StdEncoding.EncodeToString(sc.cert.Raw)
		case "PEM":
			var b strings.Builder
			for _, c := range certs {
				b.Write(pki.PEM(c))
			}
			out = base64.StdEncoding.EncodeToString([]byte(b.String()))
		default: // P7B
			var raw []byte
			for _, c := range certs {
				raw = append(raw, c.Raw...)
			}
			p7, err := pkcs7.DegenerateCertificate(raw)
			if err != nil {
				return fmt.Errorf("encode PKCS#7: %w", err)
			}
			out = base64.StdEncoding.EncodeToString(p7)
		}
		return nil
	})
	return out, err
}

// RecoverCertificate answers POST /Certificates/Recover: the certificate
// with its key (and chain, when asked) as base64 PKCS#12 under password.
// A certificate whose key the mock does not hold is Invalid.
func (s *Store) RecoverCertificate(ctx context.Context, ref CertificateRef, password string, chain bool) (blob, fileName string, err error) {
	err = s.readTx(ctx, func(tx *Tx) error {
		sc, err := findCertificate(ctx, tx, ref)
		if err != nil {
			return err
		}
		if sc.key == nil {
			return model.Errorf(model.Invalid, "Certificate %d has no private key in Command to recover: it was enrolled from a CSR.", sc.id)
		}
		var extra []*x509.Certificate
		if chain {
			extra = sc.chain
		}
		if blob, err = pfxBlob(sc.key, sc.cert, extra, password); err != nil {
			return err
		}
		fileName = strings.NewReplacer("*", "_", "/", "_", `\`, "_", " ", "_").Replace(sc.cert.Subject.CommonName) + ".pfx"
		return nil
	})
	return blob, fileName, err
}

// seedCertificates issues the fixture certificates with the mock's CAs:
// backdated where asked, revoked, and in stores' inventories (and what
// their orchestrators see) as an inventory would have found them.
func seedCertificates(ctx context.Context, tx *Tx, list []model.CertificateFixture, now time.Time) error {
	for i, f := range list {
		fail := func(err error) error { return &model.EntryError{Set: "Certificates", Index: i, Err: err} }
		subject, err := pki.ParseSubject(f.Subject)
		if err != nil {
			return fail(model.Errorf(model.Invalid, "Subject: %s.", err.Error()))
		}
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return fmt.Errorf("generate key: %w", err)
		}
		e, err := prepareEnrollment(ctx, tx, enrollmentSpec{template: f.Template, ca: f.CA, enrollType: 3, sans: f.SANs, metadata: f.Metadata,
			request: func(*model.Template) (*x509.CertificateRequest, error) {
				return &x509.CertificateRequest{Subject: subject, PublicKey: key.Public()}, nil
			}})
		if err != nil {
			return fail(err)
		}
		t, ca, req, metadata := e.t, e.ca, e.req, e.md
		issued := now.AddDate(0, 0, -f.IssuedDaysAgo)
		cert, err := issue(ca, req, issued)
		if err != nil {
			return fail(err)
		}
		id, _, err := insertCertificate(ctx, tx, cert, &t, &ca, metadata, "fixtures", issued)
		if err != nil {
			return err
		}
		if f.PrivateKey {
			der, err := x509.MarshalPKCS8PrivateKey(key)
			if err != nil {
				return fmt.Errorf("encode key: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE certificates SET key_pem = ? WHERE id = ?`, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), id); err != nil {
				return fmt.Errorf("keep key: %w", err)
			}
		}
		for j, d := range f.Deployed {
			var storeID string
			err := tx.QueryRowContext(ctx, `SELECT id FROM stores WHERE client_machine = ? AND store_path = ? ORDER BY id LIMIT 1`, d.ClientMachine, d.StorePath).Scan(&storeID)
			if err == sql.ErrNoRows {
				return fail(model.Errorf(model.Invalid, "Deployed[%d]: no store at %s on %s.", j, d.StorePath, d.ClientMachine))
			}
			if err != nil {
				return fmt.Errorf("find store: %w", err)
			}
			e := model.ObservedEntry{Alias: d.Alias, Certificates: []model.ObservedCertificate{{PEM: string(pki.PEM(cert))}}}
			if e.Alias == "" {
				e.Alias = pki.Thumbprint(cert)
			}
			if err := e.Normalize(fmt.Sprintf("Deployed[%d]", j)); err != nil {
				return fail(err)
			}
			doc, _ := json.Marshal(e)
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO store_observed (store_id, alias, entry) VALUES (?, ?, ?)`, storeID, e.Alias, string(doc)); err != nil {
				return fmt.Errorf("deploy fixture certificate: %w", err)
			}
			if err := addInventoryEntry(ctx, tx, storeID, e); err != nil {
				return err
			}
		}
		if f.Revoked != nil {
			if err := revokeIn(ctx, tx, id, f.Revoked.Reason, &f.Revoked.Comment, now); err != nil {
				return fail(err)
			}
		}
	}
	return nil
}
