package api_test

import (
	"net/http"
	"strings"
)

// Fixture ids the store rows use (fixtures/stores.json, storetypes.json).
const (
	biPEMStore = "8b4a1f0e-0000-4000-8000-000000000000" // not a fixture store: unknown
	biProd02   = "5affb229-7631-4992-b0ce-583505c6af07" // serves PEM, with discovery
)

// biStoreCorpus is the corpus's rows for store types, containers and
// stores: their request bodies, ids and query fields.
func biStoreCorpus() []badRow {
	const post, get, put, del = http.MethodPost, http.MethodGet, http.MethodPut, http.MethodDelete
	types, stores, containers := kf("/CertificateStoreTypes"), kf("/CertificateStores"), kf("/CertificateStoreContainers")
	pemStore := func(extra string) string {
		return `{"ClientMachine":"corpus-host","StorePath":"/corpus.pem","CertStoreType":2,"AgentId":"` + biProd02 + `"` + extra + `}`
	}
	return []badRow{
		biBad("store json truncated", post, stores, `{"ClientMachine":"x",`, codeMalformed, "ends before"),
		biBad("store type as a name", post, stores, `{"ClientMachine":"x","StorePath":"/p","CertStoreType":"PEM"}`, codeMalformed, "CertStoreType"),
		biBad("store properties as an object", post, stores, pemStore(`,"Properties":{"a":"b"}`), codeMalformed, "Properties"),
		biBad("store properties malformed", post, stores, pemStore(`,"Properties":"{\"separatePrivateKey\":"`), codeValidation, "Properties must be a JSON object in a string"),
		biBad("store properties an array", post, stores, pemStore(`,"Properties":"[1,2]"`), codeValidation, "Properties must be a JSON object"),
		biBad("store properties nested object", post, stores, pemStore(`,"Properties":"{\"pathToPrivateKey\":{\"a\":{\"b\":1}}}"`), codeValidation, "pathToPrivateKey"),
		biBad("store unknown type", post, stores, `{"ClientMachine":"x","StorePath":"/p","CertStoreType":424242,"AgentId":"`+biProd02+`"}`, codeValidation, "424242"),
		biBad("store type id overflow", post, stores, `{"ClientMachine":"x","StorePath":"/p","CertStoreType":99999999999}`, codeValidation, "99999999999"),
		biBad("store agent not a GUID", post, stores, `{"ClientMachine":"x","StorePath":"/p","CertStoreType":2,"AgentId":"' OR 1=1 --"}`, codeValidation, "AgentId"),
		biBad("store agent without capability", post, stores, `{"ClientMachine":"x","StorePath":"/p","CertStoreType":2,"AgentId":"`+biProd01+`"}`, codeValidation, "CertStores.PEM.Inventory"),
		biBad("store password a number", post, stores, pemStore(`,"Password":42`), codeMalformed, "Password"),
		biBad("store unknown member", post, stores, pemStore(`,"Colour":"red"`), codeMalformed, "Colour"),
		biBad("store update id not a GUID", put, stores, `{"Id":"nope"}`, codeValidation, "Id"),
		biBad("store get unknown", get, kf("/CertificateStores/"+biPEMStore), nil, codeNotFound),
		biBad("store get not a GUID", get, kf("/CertificateStores/%27%20OR%201=1"), nil, codeNotFound),
		biBad("store delete unknown", del, kf("/CertificateStores/"+biPEMStore), nil, codeNotFound),
		biBad("store bulk delete numbers", del, stores, `[1,2]`, codeMalformed),
		biBad("store approve an object", post, kf("/CertificateStores/Approve"), `{"Id":"`+biPEMStore+`"}`, codeMalformed),
		biBad("store approve unknown", post, kf("/CertificateStores/Approve"), `[{"Id":"`+biPEMStore+`","CertStoreType":2}]`, codeValidation, "[0].Id"),
		biBad("store schedule ids not GUIDs", post, kf("/CertificateStores/Schedule"), `{"StoreIds":["x"],"Schedule":{"Immediate":true}}`, codeValidation, "StoreIds[0]"),
		biBad("store schedule two types", post, kf("/CertificateStores/Schedule"), `{"StoreIds":["`+biPEMStore+`"],"Schedule":{"Immediate":true,"Daily":{"Time":"2026-01-01T00:00:00Z"}}}`, codeValidation),
		biBad("store new password a number", put, kf("/CertificateStores/Password"), `{"CertStoreId":"`+biPEMStore+`","NewPassword":7}`, codeMalformed, "NewPassword"),
		biBad("store discovery bad timestamp", put, kf("/CertificateStores/DiscoveryJob"), `{"AgentId":"`+biProd02+`","Type":2,"JobExecutionTimestamp":"tomorrow"}`, codeMalformed, "JobExecutionTimestamp"),
		biBad("store discovery no type", put, kf("/CertificateStores/DiscoveryJob"), `{"AgentId":"`+biProd02+`"}`, codeValidation, "Type is required"),
		biBad("store inventory page 0", get, kf("/CertificateStores/"+biPEMStore+"/Inventory?query.pageReturned=0"), nil, codePaging),
		biBad("store query unknown field", get, biQuery("/CertificateStores", `Colour -eq "red"`), nil, codeQuery, "Colour"),
		biBad("store query bool as text", get, biQuery("/CertificateStores", `Approved -eq "maybe"`), nil, codeQuery),
		biBad("store sort filter-only field", get, withQuery(kf("/CertificateStores"), q("SortField", "HasInventoryScheduled")), nil, codeSortField, "HasInventoryScheduled"),
		biHarmless("store query sql in value", biQuery("/CertificateStores", `ClientMachine -eq "`+strings.ReplaceAll(`' OR 1=1 --`, `"`, ``)+`"`)),
		biHarmless("store query like wildcards", biQuery("/CertificateStores", `StorePath -contains "%_%' --"`)),
		biBad("store type json truncated", post, types, `{"Name":"X","ShortName":`, codeMalformed, "ends before"),
		biBad("store type properties an object", post, types, `{"Name":"X","ShortName":"X","Properties":{}}`, codeMalformed, "Properties"),
		biBad("store type enum unknown", post, types, `{"Name":"X","ShortName":"X","CustomAliasAllowed":7}`, codeValidation, "CustomAliasAllowed"),
		biBad("store type duplicate short name", post, types, `{"Name":"X","ShortName":"pem"}`, codeDuplicate, "PEM"),
		biBad("store type short name with slash", post, types, `{"Name":"X","ShortName":"a/b"}`, codeValidation, "ShortName"),
		biBad("store type duplicate property", post, types, `{"Name":"X","ShortName":"X","Properties":[{"Name":"p"},{"Name":"P"}]}`, codeValidation, "Properties[1]"),
		biBad("store type job type not a GUID", post, types, `{"Name":"X","ShortName":"X","InventoryJobTypeId":"inv"}`, codeValidation, "InventoryJobTypeId"),
		biBad("store type update without id", put, types, `{"Name":"X","ShortName":"X"}`, codeValidation, "StoreType is required"),
		biBad("store type delete in use", del, kf("/CertificateStoreTypes/2"), nil, codeValidation, "is used by"),
		biBad("store type delete unknown", del, kf("/CertificateStoreTypes/99999999999"), nil, codeNotFound),
		biBad("store type bulk delete strings", del, types, `["2"]`, codeMalformed),
		biBad("store type sort unknown", get, withQuery(types, q("cstquery.sortField", "Colour")), nil, codeSortField, "Colour"),
		biBad("container delete holding stores", del, kf("/CertificateStoreContainers/1"), nil, codeValidation, "holds"),
		biBad("container name taken", post, containers, `{"Name":"IIS WEB FARM","CertStoreType":102}`, codeDuplicate, "IIS WEB FARM"),
		biBad("container schedule an object", post, containers, `{"Name":"C","CertStoreType":102,"Schedule":{"Interval":{"Minutes":5}}}`, codeMalformed, "Schedule"),
		biBad("container query unknown field", get, biQuery("/CertificateStoreContainers", `Colour -eq 1`), nil, codeQuery),
		biBad("store contents bad PEM", put, "/_mock/stores/"+biPEMStore+"/contents", `[{"Alias":"a","Certificates":["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"]}]`, codeValidation, "PEM"),
		biBad("store contents no alias", put, "/_mock/stores/"+biPEMStore+"/contents", `[{"Certificates":[]}]`, codeValidation, "Alias"),
		biBad("discovery unknown type", put, "/_mock/discovery", `{"AgentId":"`+biProd02+`","CertStoreType":424242,"StorePaths":["/x"]}`, codeValidation, "424242"),
	}
}

// biCertificateCorpus is the corpus's rows for enrollment, certificates
// and metadata fields.
func biCertificateCorpus() []badRow {
	const post, get, del = http.MethodPost, http.MethodGet, http.MethodDelete
	csr := kf("/Enrollment/CSR")
	pemFmt := withHeader("x-certificateformat", "PEM")
	return []badRow{
		biBad("csr no format header", post, csr, `{"CSR":"x","Template":"WebServer"}`, codeMissingHeader, "X-CertificateFormat"),
		biBad("csr format PFX", post, csr, `{"CSR":"x","Template":"WebServer"}`, codeValidation, "PEM or DER").with(withHeader("x-certificateformat", "PFX")),
		biBad("csr not base64", post, csr, `{"CSR":"%%%","Template":"WebServer"}`, codeValidation, "neither PEM nor base64").with(pemFmt),
		biBad("csr base64 of garbage", post, csr, `{"CSR":"aGVsbG8gd29ybGQ=","Template":"WebServer"}`, codeValidation, "PKCS#10").with(pemFmt),
		biBad("csr empty PEM block", post, csr, `{"CSR":"-----BEGIN CERTIFICATE REQUEST-----\n-----END CERTIFICATE REQUEST-----","Template":"WebServer"}`, codeValidation, "CSR").with(pemFmt),
		biBad("csr as a number", post, csr, `{"CSR":42,"Template":"WebServer"}`, codeMalformed, "CSR").with(pemFmt),
		biBad("csr SANs not lists", post, csr, `{"CSR":"x","SANs":{"dns":"a.example.com"}}`, codeMalformed, "SANs").with(pemFmt),
		biBad("csr sql in template", post, csr, `{"CSR":"x","Template":"' OR 1=1 --"}`, codeValidation, "CSR").with(pemFmt),
		biBad("certificates bool not a bool", get, kf("/Certificates?pq.includeRevoked=yes"), nil, codeValidation, "includeRevoked"),
		biBad("certificates unknown field", get, biQuery("/Certificates", `Colour -eq "red"`), nil, codeQuery, "Colour"),
		biBad("certificates state name", get, biQuery("/Certificates", `CertState -eq Sleeping`), nil, codeQuery, "Sleeping"),
		biBad("certificates date", get, biQuery("/Certificates", `NotAfter -lt "soon"`), nil, codeQuery),
		biHarmless("certificates sql in value", biQuery("/Certificates", `IssuedCN -eq "x' OR 1=1 --"`)),
		biBad("certificate not a number", get, kf("/Certificates/abc"), nil, codeNotFound),
		biBad("certificate unknown", get, kf("/Certificates/424242"), nil, codeNotFound),
		biBad("certificate delete unknown", del, kf("/Certificates/424242"), nil, codeNotFound),
		biBad("revoke unknown", post, kf("/Certificates/Revoke"), `{"CertificateIds":[424242],"Reason":1}`, codeValidation, "424242"),
		biBad("revoke reason", post, kf("/Certificates/Revoke"), `{"CertificateIds":[1],"Reason":12}`, codeValidation, "Reason 12"),
		biBad("revoke ids strings", post, kf("/Certificates/Revoke"), `{"CertificateIds":["1"]}`, codeMalformed, "CertificateIds"),
		biBad("revoke no ids", post, kf("/Certificates/Revoke"), `{"Reason":1}`, codeValidation, "CertificateIds"),
		biBad("template unknown", get, kf("/Templates/77"), nil, codeNotFound),
		biBad("metadata field unknown", get, kf("/MetadataFields/NoSuch"), nil, codeNotFound),
		biBad("metadata field data type", post, kf("/MetadataFields"), `{"Name":"X","Description":"d","DataType":9}`, codeValidation, "DataType 9"),
		biBad("metadata field taken", post, kf("/MetadataFields"), `{"Name":"costcenter","Description":"d","DataType":1}`, codeDuplicate, "costcenter"),
		biBad("metadata field bad regex", post, kf("/MetadataFields"), `{"Name":"X","Description":"d","DataType":1,"Validation":"(["}`, codeValidation, "Validation"),
		biBad("metadata choices missing", post, kf("/MetadataFields"), `{"Name":"X","Description":"d","DataType":5}`, codeValidation, "Options"),
		biBad("pfx no format", post, kf("/Enrollment/PFX"), `{"Subject":"CN=x","Template":"WebServer"}`, codeMissingHeader, "X-CertificateFormat"),
		biBad("pfx subject part", post, kf("/Enrollment/PFX"), `{"Subject":"CN=x,Z=1","Template":"WebServer"}`, codeValidation, "Z is not a subject part").with(withHeader("x-certificateformat", "PFX")),
		biBad("pfx key type", post, kf("/Enrollment/PFX"), `{"Subject":"CN=x","Template":"WebServer","KeyType":"DSA"}`, codeValidation, "KeyType").with(withHeader("x-certificateformat", "PFX")),
		biBad("pfx api version 3", post, kf("/Enrollment/PFX"), `{}`, codeAPIVersion).with(withHeader("x-keyfactor-api-version", "3")),
		biBad("csr api version 2", post, kf("/Enrollment/CSR"), `{}`, codeAPIVersion).with(withHeader("x-keyfactor-api-version", "2")),
		biBad("deploy no password", post, kf("/Enrollment/PFX/Deploy"), `{"CertificateId":1}`, codeValidation, "Password"),
		biBad("deploy ids numbers", post, kf("/Enrollment/PFX/Deploy"), `{"CertificateId":1,"Password":"p","StoreIds":[1]}`, codeMalformed, "StoreIds"),
		biBad("download nothing named", post, kf("/Certificates/Download"), `{}`, codeValidation, "Name the certificate"),
		biBad("download format", post, kf("/Certificates/Download"), `{"CertID":1}`, codeValidation, "P7B").with(withHeader("x-certificateformat", "ZIP")),
		biBad("download unknown", post, kf("/Certificates/Download"), `{"CertID":424242}`, codeValidation, "424242"),
		biBad("recover no format", post, kf("/Certificates/Recover"), `{"CertID":1,"Password":"p"}`, codeMissingHeader),
		biBad("add no certificate", post, kf("/CertificateStores/Certificates/Add"), `{"CertificateStores":[],"Schedule":{"Immediate":true}}`, codeValidation, "CertificateId"),
		biBad("add unknown store", post, kf("/CertificateStores/Certificates/Add"), `{"CertificateId":1,"CertificateStores":[{"CertificateStoreId":"`+biPEMStore+`","Alias":"a"}],"Schedule":{"Immediate":true}}`, codeValidation, "CertificateStores[0]"),
		biBad("add store id not a GUID", post, kf("/CertificateStores/Certificates/Add"), `{"CertificateId":1,"CertificateStores":[{"CertificateStoreId":"x"}],"Schedule":{"Immediate":true}}`, codeValidation, "CertificateStoreId"),
		biBad("remove no schedule", post, kf("/CertificateStores/Certificates/Remove"), `{"CertificateStores":[{"CertificateStoreId":"`+biPEMStore+`","Alias":"a"}]}`, codeValidation, "Schedule is required"),
		biBad("locations unknown", get, kf("/Certificates/Locations/424242"), nil, codeNotFound),
		biBad("import nothing", post, kf("/Certificates/Import"), `{"Certificate":""}`, codeValidation, "Certificate is required"),
		biBad("import garbage", post, kf("/Certificates/Import"), `{"Certificate":"aGVsbG8="}`, codeValidation, "neither a DER certificate nor a PKCS#12"),
		biBad("import bad PEM", post, kf("/Certificates/Import"), `{"Certificate":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"}`, codeValidation, "does not parse"),
		biBad("bulk delete certificates strings", del, kf("/Certificates"), `["1"]`, codeMalformed),
	}
}
