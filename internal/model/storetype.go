package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// StoreType is a certificate store type as Command v25 answers it
// (KeyfactorApiModelsCertificateStoresTypesCertificateStoreTypeResponse),
// members in Command's order. The enum members travel as names, as real
// clients send and expect them (see NamedEnum).
type StoreType struct {
	Name                string
	ShortName           string
	Capability          *string
	StoreType           int
	ImportType          int
	LocalStore          bool
	SupportedOperations SupportedOperations
	Properties          []StoreTypeProperty
	EntryParameters     []StoreTypeEntryParameter
	PasswordOptions     PasswordOptions
	StorePathType       *string
	StorePathValue      *string
	PrivateKeyAllowed   NamedEnum
	JobProperties       []string
	ServerRequired      bool
	PowerShell          bool
	BlueprintAllowed    bool
	CustomAliasAllowed  NamedEnum
	ServerRegistration  int
	InventoryEndpoint   *string
	InventoryJobType    *string
	ManagementJobType   *string
	DiscoveryJobType    *string
	EnrollmentJobType   *string
}

// SupportedOperations says which management operations stores of a type
// support.
type SupportedOperations struct {
	Add        bool
	Create     bool
	Discovery  bool
	Enrollment bool
	Remove     bool
}

// PasswordOptions says whether stores and entries of a type take passwords.
type PasswordOptions struct {
	EntrySupported bool
	StoreRequired  bool
	Style          NamedEnum
}

// StoreTypeProperty is a custom field of the stores of a type: the keys of
// a store's Properties.
type StoreTypeProperty struct {
	StoreTypeId  int
	Name         string
	DisplayName  string
	Type         NamedEnum
	DependsOn    string
	DefaultValue Scalar
	Required     bool
}

// StoreTypeEntryParameter is a per-entry field of add, remove and
// reenrollment jobs on stores of a type.
type StoreTypeEntryParameter struct {
	StoreTypeId  int
	Name         string
	DisplayName  string
	Type         NamedEnum
	RequiredWhen RequiredWhen
	DependsOn    string
	DefaultValue Scalar
	Options      Scalar
}

// RequiredWhen says when an entry parameter is required.
type RequiredWhen struct {
	HasPrivateKey  bool
	OnAdd          bool
	OnRemove       bool
	OnReenrollment bool
}

// The value sets of the named enums. A name's position is its number,
// which clients may send instead: "PEM (or 1)"-style input is how Command
// documents these members.
var (
	AllowedLevels  = []string{"Forbidden", "Optional", "Required"}
	PropertyTypes  = []string{"String", "MultipleChoice", "Bool", "Secret"}
	PasswordStyles = []string{"Default", "Custom"}
)

// NamedEnum is an enum member that travels as its name. Decoding accepts a
// name (case-insensitively) or its number; Normalize checks it against its
// value set and writes the canonical name.
type NamedEnum string

// UnmarshalJSON keeps a string as given and a number as its digits; null
// leaves it empty.
func (e *NamedEnum) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*e = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*e = NamedEnum(s)
	default:
		var n int
		if err := json.Unmarshal(b, &n); err != nil {
			return typeError(b, reflect.TypeFor[string]())
		}
		*e = NamedEnum(strconv.Itoa(n))
	}
	return nil
}

// normalize resolves e against names (empty takes def) or returns an
// Invalid error naming member.
func (e *NamedEnum) normalize(member string, names []string, def string) error {
	v := strings.TrimSpace(string(*e))
	if v == "" {
		*e = NamedEnum(def)
		return nil
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 && n < len(names) {
		*e = NamedEnum(names[n])
		return nil
	}
	for _, name := range names {
		if strings.EqualFold(v, name) {
			*e = NamedEnum(name)
			return nil
		}
	}
	choices := make([]string, len(names))
	for i, n := range names {
		choices[i] = fmt.Sprintf("%s (%d)", n, i)
	}
	return Errorf(Invalid, "%s %q is not valid; use %s.", member, v, strings.Join(choices, ", "))
}

// ShortNameMax is the longest ShortName Command accepts.
const ShortNameMax = 10

// CapabilityMax is the longest Capability Command accepts.
const CapabilityMax = 220

// Normalize checks a store type given by a client or a fixture and fills
// what may be omitted: enum names, empty lists, the StoreTypeId of each
// property and entry parameter, and JobProperties (the names of the entry
// parameters, which Command derives). StoreType (the id) is left alone.
func (t *StoreType) Normalize() error {
	t.Name, t.ShortName = strings.TrimSpace(t.Name), strings.TrimSpace(t.ShortName)
	switch {
	case t.Name == "":
		return Errorf(Invalid, "Name is required.")
	case t.ShortName == "":
		return Errorf(Invalid, "ShortName is required.")
	case utf8.RuneCountInString(t.ShortName) > ShortNameMax:
		return Errorf(Invalid, "ShortName %q is longer than %d characters.", t.ShortName, ShortNameMax)
	case strings.ContainsAny(t.ShortName, "/\\?#%"):
		return Errorf(Invalid, "ShortName %q must not contain /, \\, ?, # or %%: it names the type in a URL.", t.ShortName)
	case t.Capability != nil && utf8.RuneCountInString(*t.Capability) > CapabilityMax:
		return Errorf(Invalid, "Capability is longer than %d characters.", CapabilityMax)
	}
	if t.Capability != nil {
		c := strings.TrimSpace(*t.Capability)
		t.Capability = &c
		if c == "" {
			t.Capability = nil
		}
	}
	if err := t.PrivateKeyAllowed.normalize("PrivateKeyAllowed", AllowedLevels, "Forbidden"); err != nil {
		return err
	}
	if err := t.CustomAliasAllowed.normalize("CustomAliasAllowed", AllowedLevels, "Forbidden"); err != nil {
		return err
	}
	if err := t.PasswordOptions.Style.normalize("PasswordOptions.Style", PasswordStyles, "Default"); err != nil {
		return err
	}
	if t.Properties == nil {
		t.Properties = []StoreTypeProperty{}
	}
	if t.EntryParameters == nil {
		t.EntryParameters = []StoreTypeEntryParameter{}
	}
	seen := map[string]string{}
	for i := range t.Properties {
		p := &t.Properties[i]
		if err := normalizeMember(seen, fmt.Sprintf("Properties[%d]", i), &p.Name, &p.DisplayName, &p.Type); err != nil {
			return err
		}
		p.StoreTypeId = t.StoreType
	}
	t.JobProperties = make([]string, 0, len(t.EntryParameters))
	entries := map[string]string{}
	for i := range t.EntryParameters {
		e := &t.EntryParameters[i]
		if err := normalizeMember(entries, fmt.Sprintf("EntryParameters[%d]", i), &e.Name, &e.DisplayName, &e.Type); err != nil {
			return err
		}
		e.StoreTypeId = t.StoreType
		t.JobProperties = append(t.JobProperties, e.Name)
	}
	return nil
}

// normalizeMember checks and fills what a property and an entry parameter
// share: a name unique (case-insensitively) among seen, which records it
// as member; a known type, String when absent; the display name, the name
// when absent.
func normalizeMember(seen map[string]string, member string, name, displayName *string, typ *NamedEnum) error {
	*name = strings.TrimSpace(*name)
	if *name == "" {
		return Errorf(Invalid, "%s.Name is required.", member)
	}
	key := strings.ToLower(*name)
	if prev, dup := seen[key]; dup {
		return Errorf(Invalid, "%s.Name %q is also the name of %s.", member, *name, prev)
	}
	seen[key] = member
	if err := typ.normalize(member+".Type", PropertyTypes, "String"); err != nil {
		return err
	}
	if *displayName == "" {
		*displayName = *name
	}
	return nil
}

// SetID gives the type its id, and its properties and entry parameters
// their StoreTypeId.
func (t *StoreType) SetID(id int) {
	t.StoreType = id
	if t.ImportType == 0 {
		t.ImportType = id
	}
	for i := range t.Properties {
		t.Properties[i].StoreTypeId = id
	}
	for i := range t.EntryParameters {
		t.EntryParameters[i].StoreTypeId = id
	}
}

// CapabilityName is the capability an orchestrator advertises to run jobs
// of kind ("Inventory", "Management", "Discovery") on stores of this type:
// CertStores.<Capability>.<kind>, the Capability being the ShortName when
// the type has none.
func (t *StoreType) CapabilityName(kind string) string {
	c := t.ShortName
	if t.Capability != nil {
		c = *t.Capability
	}
	return "CertStores." + c + "." + kind
}
