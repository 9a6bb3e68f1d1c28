package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/mockcommand/mockcommand/internal/model"
	"github.com/mockcommand/mockcommand/internal/store"
)

// csrEnrollmentRequest is a POST /Enrollment/CSR body (v1, with the v25
// members clients send: cert-manager's owner role and enrollment pattern
// are accepted and ignored).
type csrEnrollmentRequest struct {
	CSR                        string
	CertificateAuthority       *string
	Template                   *string
	IncludeChain               bool
	Metadata                   map[string]model.Scalar
	AdditionalEnrollmentFields map[string]json.RawMessage
	Timestamp                  *model.Time
	SANs                       map[string][]string
	PrivateKey                 json.RawMessage
	IncludeSubjectHeader       bool
	OwnerRoleId                *int
	OwnerRoleName              *string
	EnrollmentPatternId        *int
}

// revokeRequest is a POST /Certificates/Revoke body.
type revokeRequest struct {
	CertificateIds []int
	Reason         *int
	Comment        *string
	EffectiveDate  *model.Time
	CollectionId   *int
}

// certificateFormat reads the x-certificateformat header, which Command
// requires on enrollment, among the formats allowed.
func certificateFormat(r *http.Request, allowed ...string) (string, error) {
	f := strings.TrimSpace(r.Header.Get("x-certificateformat"))
	if f == "" {
		return "", newError(http.StatusBadRequest, codeMissingHeader, "You must supply a certificate format in the 'X-CertificateFormat' header of the request.")
	}
	for _, a := range allowed {
		if strings.EqualFold(f, a) {
			return a, nil
		}
	}
	return "", newError(http.StatusBadRequest, codeValidation, fmt.Sprintf("X-CertificateFormat %q is not valid here; use %s.", f, strings.Join(allowed, " or ")))
}

func (s *Server) handleEnrollCSR(w http.ResponseWriter, r *http.Request) {
	req, err := decode[csrEnrollmentRequest](w, r, s.cfg.MaxBodyBytes)
	var format string
	if err == nil {
		format, err = certificateFormat(r, "PEM", "DER")
	}
	if err == nil && strings.TrimSpace(req.CSR) == "" {
		err = model.Errorf(model.Invalid, "CSR is required: the certificate signing request, as PEM or base64.")
	}
	var resp model.CSREnrollmentResponse
	if err == nil {
		metadata := map[string]string{}
		for k, v := range req.Metadata {
			if v.Set {
				metadata[k] = v.Value
			}
		}
		resp, err = s.store.Enroll(r.Context(), store.EnrollCSR{
			CSR: req.CSR, CertificateAuthority: model.Deref(req.CertificateAuthority), Template: model.Deref(req.Template),
			IncludeChain: req.IncludeChain, DER: format == "DER", Metadata: metadata, SANs: req.SANs, Requester: requester(r),
		})
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, resp)
}

// requester names who sent a request, as Command records it: the Basic
// user, or the OAuth client.
func requester(r *http.Request) string {
	if user, _, ok := r.BasicAuth(); ok {
		return user
	}
	return ""
}

// boolParam reads a boolean query parameter (bare or after one prefix, any
// case); absent is false.
func boolParam(r *http.Request, name string) (bool, error) {
	for key, values := range r.URL.Query() {
		if !strings.EqualFold(unprefixed(strings.ToLower(key)), name) || len(values) == 0 {
			continue
		}
		v, err := strconv.ParseBool(strings.TrimSpace(values[0]))
		if err != nil {
			return false, newError(http.StatusBadRequest, codeValidation, fmt.Sprintf("%s %q is not valid; use true or false.", key, values[0]))
		}
		return v, nil
	}
	return false, nil
}

// certificateOptions reads the include parameters of the certificate
// routes.
func certificateOptions(r *http.Request) (store.CertificateListOptions, error) {
	var o store.CertificateListOptions
	for _, p := range []struct {
		name string
		into *bool
	}{{"includerevoked", &o.IncludeRevoked}, {"includeexpired", &o.IncludeExpired}, {"includemetadata", &o.IncludeMetadata},
		{"includehasprivatekey", &o.IncludeHasPrivateKey}} {
		v, err := boolParam(r, p.name)
		if err != nil {
			return o, err
		}
		*p.into = v
	}
	var err error
	if o.IncludeLocations, err = boolParam(r, "includelocations"); err != nil {
		return o, err
	}
	return o, nil
}

func (s *Server) handleCertificateList(w http.ResponseWriter, r *http.Request) {
	opts, err := listOptions(r)
	var co store.CertificateListOptions
	if err == nil {
		co, err = certificateOptions(r)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	route := fmt.Sprintf("certificates/%v", co)
	if !co.IncludeExpired {
		route += "/" + s.mock.Now().Format("2006-01-02T15:04:05") // expiry moves with the clock
	}
	s.cachedList(w, r, listRequest{route: route, opts: opts, version: s.store.CertificatesVersion,
		write: func(w io.Writer) error { return s.store.CertificatesPage(r.Context(), opts, co, w) }})
}

func (s *Server) handleCertificateGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt("Certificate", chi.URLParam(r, "id"))
	var co store.CertificateListOptions
	if err == nil {
		co, err = certificateOptions(r)
	}
	var doc []byte
	if err == nil {
		doc, err = s.store.GetCertificate(r.Context(), id, co)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

func (s *Server) handleCertificateRevoke(w http.ResponseWriter, r *http.Request) {
	req, err := decode[revokeRequest](w, r, s.cfg.MaxBodyBytes)
	var ids []int
	if err == nil {
		reason := 0
		if req.Reason != nil {
			reason = *req.Reason
		}
		var at *time.Time
		if req.EffectiveDate != nil {
			at = &req.EffectiveDate.Time
		}
		ids, err = s.store.RevokeCertificates(r.Context(), req.CertificateIds, reason, req.Comment, at)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, model.RevokeResponse{RevokedIds: ids, SuspendedCerts: []any{}})
}

func (s *Server) handleCertificateDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt("Certificate", chi.URLParam(r, "id"))
	if err == nil {
		err = s.store.DeleteCertificate(r.Context(), id)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}

func (s *Server) handleTemplateGet(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt("Template", chi.URLParam(r, "id"))
	var doc []byte
	if err == nil {
		doc, err = s.store.GetTemplate(r.Context(), id)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	writeJSON(w, http.StatusOK, doc)
}

// metadataFieldRequest is a POST /MetadataFields body. Id, which kfutil
// export writes and its import sends back, is accepted and ignored (the
// mock numbers new fields itself).
type metadataFieldRequest struct {
	Id           json.RawMessage
	Name         string
	Description  string
	DataType     *int
	Hint         *string
	Validation   *string
	Enrollment   int
	Message      *string
	Options      *string
	DefaultValue *string
	DisplayOrder int
}

func (s *Server) handleMetadataGet(w http.ResponseWriter, r *http.Request) {
	f, err := s.store.GetMetadataField(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, f)
}

func (s *Server) handleMetadataCreate(w http.ResponseWriter, r *http.Request) {
	req, err := decode[metadataFieldRequest](w, r, s.cfg.MaxBodyBytes)
	if err == nil && req.DataType == nil {
		err = model.Errorf(model.Invalid, "DataType is required.")
	}
	var f model.MetadataField
	if err == nil {
		f, err = s.store.CreateMetadataField(r.Context(), model.MetadataField{Name: req.Name, Description: req.Description, DataType: *req.DataType,
			Hint: req.Hint, Validation: req.Validation, Enrollment: req.Enrollment, Message: req.Message, Options: req.Options,
			DefaultValue: req.DefaultValue, DisplayOrder: req.DisplayOrder})
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, f)
}

// handleRootCA answers GET /_mock/ca/root.pem: the mock's root CA
// certificates, for clients to trust what it issues.
func (s *Server) handleRootCA(w http.ResponseWriter, r *http.Request) {
	roots, err := s.store.RootCertificates(r.Context())
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, roots)
}

func (s *Server) handleCertificateLocations(w http.ResponseWriter, r *http.Request) {
	id, err := pathInt("Certificate", chi.URLParam(r, "id"))
	var out model.CertificateLocations
	if err == nil {
		out, err = s.store.CertificateLocations(r.Context(), id)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, out)
}

// pfxEnrollmentRequest is a POST /Enrollment/PFX body: version 1, plus
// version 2's Stores, InstallIntoExistingCertificateStores, ChainOrder,
// KeyType and KeyLength (Terraform).
type pfxEnrollmentRequest struct {
	CustomFriendlyName                   *string
	Password                             *string
	PopulateMissingValuesFromAD          bool
	Subject                              string
	IncludeChain                         bool
	RenewalCertificateId                 *int
	CertificateAuthority                 *string
	Metadata                             map[string]model.Scalar
	AdditionalEnrollmentFields           map[string]json.RawMessage
	Timestamp                            *model.Time
	Template                             *string
	SANs                                 map[string][]string
	Stores                               []storeEntryRequest
	InstallIntoExistingCertificateStores bool
	ChainOrder                           *string
	KeyType                              *string
	KeyLength                            int
	EnrollmentPatternId                  *int
	OwnerRoleId                          *int
	OwnerRoleName                        *string
}

func scalars(m map[string]model.Scalar) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		if v.Set {
			out[k] = v.Value
		}
	}
	return out
}

func (s *Server) handleEnrollPFX(w http.ResponseWriter, r *http.Request) {
	req, err := decode[pfxEnrollmentRequest](w, r, s.cfg.MaxBodyBytes)
	var format string
	if err == nil {
		format, err = certificateFormat(r, "PFX", "Zip", "STORE")
	}
	if err == nil && req.RenewalCertificateId != nil && *req.RenewalCertificateId == 0 {
		err = model.Errorf(model.Invalid, "RenewalCertificateId 0 is not a certificate; leave it out (or null) for a new enrollment.")
	}
	var resp model.PFXEnrollmentResponse
	if err == nil {
		resp, err = s.store.EnrollPFX(r.Context(), store.EnrollPFX{
			Subject: req.Subject, Template: model.Deref(req.Template), CertificateAuthority: model.Deref(req.CertificateAuthority),
			Password: model.Deref(req.Password), IncludeChain: req.IncludeChain, Metadata: scalars(req.Metadata), SANs: req.SANs,
			Requester: requester(r), KeyType: model.Deref(req.KeyType), KeyLength: req.KeyLength, NoBlob: format == "STORE",
		})
	}
	if err == nil && len(req.Stores) > 0 {
		resp.SuccessfulStores = []string{}
		for _, e := range req.Stores {
			_, derr := s.store.AddCertificate(r.Context(), resp.CertificateInformation.KeyfactorId, []store.StoreEntry{{
				CertificateStoreId: e.CertificateStoreId, Alias: e.Alias, JobFields: e.JobFields, Overwrite: e.Overwrite, IncludePrivateKey: true,
			}}, &model.Schedule{Immediate: ptrTrue()})
			if derr == nil {
				resp.SuccessfulStores = append(resp.SuccessfulStores, e.CertificateStoreId)
			} else if model.KindOf(derr) == model.Internal {
				err = derr
				break
			}
		}
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	encode(w, http.StatusOK, resp)
}

func ptrTrue() *bool { t := true; return &t }

// pfxDeployRequest is a POST /Enrollment/PFX/Deploy body.
type pfxDeployRequest struct {
	Stores []struct {
		StoreId    string
		Alias      *string
		Overwrite  bool
		Properties json.RawMessage
	}
	StoreIds   []string
	StoreTypes []struct {
		StoreTypeId int
		Alias       *string
		Overwrite   bool
		Properties  json.RawMessage
	}
	CertificateId *int
	RequestId     *int
	Password      *string
	JobTime       *model.Time
}

// handleDeployPFX answers POST /Enrollment/PFX/Deploy: one add job per
// store (at JobTime, or at once), with the alias and overwrite of the
// store's entry in Stores, else of its type's in StoreTypes; stores that
// cannot take it are listed in FailedStores.
func (s *Server) handleDeployPFX(w http.ResponseWriter, r *http.Request) {
	req, err := decode[pfxDeployRequest](w, r, s.cfg.MaxBodyBytes)
	switch {
	case err != nil:
	case req.Password == nil:
		err = model.Errorf(model.Invalid, "Password is required: the password the certificate was enrolled with.")
	case req.CertificateId == nil:
		err = model.Errorf(model.Invalid, "CertificateId is required.")
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	sched := &model.Schedule{Immediate: ptrTrue()}
	if req.JobTime != nil && !req.JobTime.IsZero() {
		sched = &model.Schedule{ExactlyOnce: &model.TimeModel{Time: *req.JobTime}}
	}
	type target struct {
		id        string
		alias     *string
		overwrite bool
		explicit  bool
	}
	var targets []target
	for _, e := range req.Stores {
		targets = append(targets, target{e.StoreId, e.Alias, e.Overwrite, true})
	}
	for _, id := range req.StoreIds {
		if !slices.ContainsFunc(targets, func(t target) bool { return strings.EqualFold(t.id, id) }) {
			targets = append(targets, target{id: id})
		}
	}
	out := struct{ SuccessfulStores, FailedStores []string }{[]string{}, []string{}}
	for _, t := range targets {
		if !t.explicit {
			if st, err := s.store.GetStore(r.Context(), strings.ToLower(t.id)); err == nil {
				var cs model.CertificateStore
				if json.Unmarshal(st, &cs) == nil {
					for _, ty := range req.StoreTypes {
						if ty.StoreTypeId == cs.CertStoreType {
							t.alias, t.overwrite = ty.Alias, ty.Overwrite
						}
					}
				}
			}
		}
		_, err := s.store.AddCertificate(r.Context(), *req.CertificateId, []store.StoreEntry{{CertificateStoreId: t.id, Alias: t.alias,
			Overwrite: t.overwrite, IncludePrivateKey: true}}, sched)
		if err != nil {
			if model.KindOf(err) == model.Internal {
				writeError(w, r, s.logger, err)
				return
			}
			out.FailedStores = append(out.FailedStores, t.id)
			continue
		}
		out.SuccessfulStores = append(out.SuccessfulStores, t.id)
	}
	encode(w, http.StatusOK, out)
}

// certificateRefRequest names a certificate in Download and Recover.
type certificateRefRequest struct {
	CertID       *int
	SerialNumber *string
	IssuerDN     *string
	Thumbprint   *string
	IncludeChain bool
	ChainOrder   *string
	Password     *string
}

func (req *certificateRefRequest) ref() store.CertificateRef {
	ref := store.CertificateRef{Thumbprint: model.Deref(req.Thumbprint), SerialNumber: model.Deref(req.SerialNumber), Issuer: model.Deref(req.IssuerDN)}
	if req.CertID != nil {
		ref.Id = *req.CertID
	}
	return ref
}

func (s *Server) handleCertificateDownload(w http.ResponseWriter, r *http.Request) {
	req, err := decode[certificateRefRequest](w, r, s.cfg.MaxBodyBytes)
	format := "P7B"
	if err == nil && r.Header.Get("x-certificateformat") != "" {
		format, err = certificateFormat(r, "P7B", "PEM", "DER", "PFX")
	}
	if err == nil && format == "PFX" && req.Password == nil {
		err = model.Errorf(model.Invalid, "Password is required with x-certificateformat PFX: the PKCS#12 is encrypted with it.")
	}
	var content string
	if err == nil {
		content, err = s.store.DownloadCertificate(r.Context(), req.ref(), format, req.IncludeChain, strings.EqualFold(model.Deref(req.ChainOrder), "RootFirst"), model.Deref(req.Password))
	}
	if err != nil {
		writeError(w, r, s.logger, bodyNotFound(err))
		return
	}
	encode(w, http.StatusOK, struct{ Content string }{content})
}

func (s *Server) handleCertificateRecover(w http.ResponseWriter, r *http.Request) {
	req, err := decode[certificateRefRequest](w, r, s.cfg.MaxBodyBytes)
	if err == nil {
		_, err = certificateFormat(r, "PFX")
	}
	if err == nil && req.Password == nil {
		err = model.Errorf(model.Invalid, "Password is required: the PKCS#12 is encrypted with it.")
	}
	var blob, name string
	if err == nil {
		blob, name, err = s.store.RecoverCertificate(r.Context(), req.ref(), *req.Password, req.IncludeChain)
	}
	if err != nil {
		writeError(w, r, s.logger, bodyNotFound(err))
		return
	}
	encode(w, http.StatusOK, struct{ PFX, FileName string }{blob, name})
}

// handleEnrollmentContext answers GET /Enrollment/CSR/Context/My and
// /PFX/Context/My.
func (s *Server) handleEnrollmentContext(enrollType int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		out, err := s.store.EnrollmentContext(r.Context(), enrollType)
		if err != nil {
			writeError(w, r, s.logger, err)
			return
		}
		encode(w, http.StatusOK, out)
	}
}

// metadataUpdateRequest is a PUT /Certificates/Metadata body.
type metadataUpdateRequest struct {
	Id           *int
	Metadata     map[string]model.Scalar
	CollectionId *int
}

func (s *Server) handleMetadataUpdate(w http.ResponseWriter, r *http.Request) {
	req, err := decode[metadataUpdateRequest](w, r, s.cfg.MaxBodyBytes)
	switch {
	case err != nil:
	case req.Id == nil:
		err = model.Errorf(model.Invalid, "Id is required: the certificate whose metadata to set.")
	case req.Metadata == nil:
		err = model.Errorf(model.Invalid, "Metadata is required: field name to value (\"\" clears a field).")
	default:
		values := map[string]string{}
		for k, v := range req.Metadata {
			values[k] = v.Value
		}
		err = s.store.UpdateMetadata(r.Context(), *req.Id, values)
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	noContent(w)
}

// importRequest is a POST /Certificates/Import body.
type importRequest struct {
	Certificate string
	Password    *string
	Metadata    map[string]model.Scalar
	StoreIds    []string
	StoreTypes  []struct {
		StoreTypeId int
		Alias       *string
		Overwrite   bool
		Properties  json.RawMessage
	}
	Schedule       *model.Time
	ImportMetadata *bool
}

// invalidKeystore is a store an import could not deploy to.
type invalidKeystore struct {
	KeystoreId    string
	ClientMachine *string
	StorePath     *string
	Alias         *string
	Reason        int
	Explanation   string
}

// handleCertificateImport answers POST /Certificates/Import: the
// certificate is stored (ImportStatus 1 new, 2 already there), and an add
// job is scheduled for each of StoreIds (JobStatus 1 when any was); the
// stores that cannot take it are InvalidKeystores.
func (s *Server) handleCertificateImport(w http.ResponseWriter, r *http.Request) {
	req, err := decode[importRequest](w, r, s.cfg.MaxBodyBytes)
	var id, status int
	var thumb string
	if err == nil {
		id, status, thumb, err = s.store.ImportCertificate(r.Context(), store.ImportCertificate{Certificate: req.Certificate,
			Password: model.Deref(req.Password), Metadata: scalars(req.Metadata)})
	}
	if err != nil {
		writeError(w, r, s.logger, err)
		return
	}
	sched := &model.Schedule{Immediate: ptrTrue()}
	if req.Schedule != nil && !req.Schedule.IsZero() {
		sched = &model.Schedule{ExactlyOnce: &model.TimeModel{Time: *req.Schedule}}
	}
	out := struct {
		ImportStatus     int
		JobStatus        int
		InvalidKeystores []invalidKeystore
		Thumbprint       string
	}{ImportStatus: status, InvalidKeystores: []invalidKeystore{}, Thumbprint: thumb}
	hasKey := false
	if doc, err := s.store.GetCertificate(r.Context(), id, store.CertificateListOptions{IncludeHasPrivateKey: true}); err == nil {
		var c struct{ HasPrivateKey bool }
		_ = json.Unmarshal(doc, &c)
		hasKey = c.HasPrivateKey
	}
	for _, storeID := range req.StoreIds {
		var alias *string
		overwrite := false
		if doc, err := s.store.GetStore(r.Context(), strings.ToLower(storeID)); err == nil {
			var cs model.CertificateStore
			if json.Unmarshal(doc, &cs) == nil {
				for _, t := range req.StoreTypes {
					if t.StoreTypeId == cs.CertStoreType {
						alias, overwrite = t.Alias, t.Overwrite
					}
				}
			}
		}
		_, err := s.store.AddCertificate(r.Context(), id, []store.StoreEntry{{CertificateStoreId: storeID, Alias: alias, Overwrite: overwrite, IncludePrivateKey: hasKey}}, sched)
		if err != nil {
			if model.KindOf(err) == model.Internal {
				writeError(w, r, s.logger, err)
				return
			}
			out.InvalidKeystores = append(out.InvalidKeystores, invalidKeystore{KeystoreId: storeID, Alias: alias, Explanation: err.Error()})
			continue
		}
		out.JobStatus = 1
	}
	encode(w, http.StatusOK, out)
}
