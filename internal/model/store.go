package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
)

// CertificateStore is a certificate store as Command v25 answers it (GET
// /CertificateStores and /CertificateStores/{id}), members in Command's
// order. Storepath is spelt with a lower-case p, as in every Command model.
type CertificateStore struct {
	Id                      string
	ContainerId             *int
	DisplayName             *string
	ClientMachine           string
	Storepath               string
	CertStoreInventoryJobId *string
	CertStoreType           int
	Approved                bool
	CreateIfMissing         bool
	Properties              string // JSON text, as Command sends it
	AgentId                 *string
	AgentAssigned           bool
	ContainerName           *string
	InventorySchedule       Schedule // {} when the store has none
	ReenrollmentStatus      ReenrollmentStatus
	SetNewPasswordAllowed   bool
	Password                SecretPresence
}

// ReenrollmentStatus says whether a store can be reenrolled and with what.
type ReenrollmentStatus struct {
	Data               bool
	AgentId            *string
	Message            *string
	JobProperties      *string
	CustomAliasAllowed int // an integer here, unlike on store types
	EntryParameters    []StoreTypeEntryParameter
}

// SecretPresence is how Command answers a secret: never its value. Every
// member is a string or null but HasValue, so that each client's model of
// it decodes.
type SecretPresence struct {
	SecretTypeGuid *string
	InstanceId     *string
	HasValue       bool
}

// Secret is a secret a client sends (KeyfactorAPISecret): an object with a
// SecretValue, or a plain string. Null or absent leaves it unset.
type Secret struct {
	Value string
	Set   bool
}

// UnmarshalJSON accepts null, a string, or an object whose SecretValue
// holds the secret (Parameters and Provider, for secret providers, are
// accepted and ignored: the mock keeps secrets itself).
func (s *Secret) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = Secret{}
		return nil
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = Secret{Value: v, Set: true}
		return nil
	}
	var obj struct {
		SecretValue    *string
		Parameters     json.RawMessage
		Provider       json.RawMessage
		SecretTypeGuid json.RawMessage
		InstanceId     json.RawMessage
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return typeError(b, reflect.TypeFor[map[string]string]())
	}
	*s = Secret{}
	if obj.SecretValue != nil {
		*s = Secret{Value: *obj.SecretValue, Set: true}
	}
	return nil
}

// StoreContainer is a certificate store container as Command answers it.
// Schedule is text (Command's cron-like form), not a schedule object.
type StoreContainer struct {
	Id                 int
	Name               string
	OverwriteSchedules bool
	Schedule           *string
	CertStoreType      int
	StoreCount         int
}

// ServerProperties are the properties every store may carry beside its
// type's own: the credentials of the server that hosts it.
var ServerProperties = []string{"ServerUsername", "ServerPassword", "ServerUseSsl"}

// StoreProperties are a store's Properties, parsed and checked against its
// type: a flat name → value map whose values are strings, booleans or
// secrets.
type StoreProperties map[string]any

// ParseStoreProperties reads the JSON text of a store's Properties (empty
// text is an empty object) and checks it against the store type: every
// key is one of the type's properties or a server property, required
// properties are present, Bool properties hold true or false and
// MultipleChoice ones one of their choices; missing properties take their
// default. Values may be wrapped as {"value": v}, as Terraform sends them;
// secrets may be {"SecretValue": "…"}. The error is Invalid, naming the
// property.
func ParseStoreProperties(text string, t *StoreType) (StoreProperties, error) {
	raw := map[string]json.RawMessage{}
	if strings.TrimSpace(text) != "" {
		if err := DecodeJSON([]byte(text), &raw); err != nil || raw == nil {
			why := "it is null"
			if err != nil {
				why = strings.TrimSuffix(strings.Replace(err.Error(), "The body", "the text", 1), ".")
			}
			return nil, Errorf(Invalid, "Properties must be a JSON object in a string, such as \"{\\\"Name\\\":\\\"value\\\"}\"; %s.", why)
		}
	}
	props := StoreProperties{}
	byName := map[string]*StoreTypeProperty{}
	for i := range t.Properties {
		byName[strings.ToLower(t.Properties[i].Name)] = &t.Properties[i]
	}
	for key, v := range raw {
		def := byName[strings.ToLower(key)]
		name := key
		if def != nil {
			name = def.Name
		} else if i := slices.IndexFunc(ServerProperties, func(p string) bool { return strings.EqualFold(p, key) }); i >= 0 {
			name = ServerProperties[i]
		} else {
			return nil, Errorf(Invalid, "Properties: %q is not a property of store type %s; its properties are %s.", key, t.ShortName, propertyNames(t))
		}
		value, err := propertyValue(name, v, def)
		if err != nil {
			return nil, err
		}
		if value != nil {
			props[name] = value
		}
	}
	for _, p := range t.Properties {
		if _, ok := props[p.Name]; ok {
			continue
		}
		switch {
		case p.DefaultValue.Set && p.DefaultValue.Value != "":
			v := p.DefaultValue.Value
			if p.Type == "MultipleChoice" {
				v = strings.TrimSpace(strings.Split(v, ",")[0])
			}
			props[p.Name] = v
		case p.Required:
			return nil, Errorf(Invalid, "Properties: %q is required for store type %s and has no default.", p.Name, t.ShortName)
		}
	}
	return props, nil
}

// propertyValue reads one property value: a string, number or boolean
// (kept as a string, as Command keeps them), a secret, or one of those
// wrapped as {"value": v}. Null leaves the property out.
func propertyValue(name string, raw json.RawMessage, def *StoreTypeProperty) (any, error) {
	raw = bytes.TrimSpace(raw)
	var wrapped struct{ Value json.RawMessage }
	if len(raw) > 0 && raw[0] == '{' {
		var probe map[string]json.RawMessage
		_ = json.Unmarshal(raw, &probe)
		for k, v := range probe {
			if strings.EqualFold(k, "value") && len(probe) == 1 {
				wrapped.Value = v
			}
		}
		if wrapped.Value != nil {
			raw = bytes.TrimSpace(wrapped.Value)
		}
	}
	secret := def != nil && def.Type == "Secret" || name == "ServerUsername" || name == "ServerPassword"
	if len(raw) > 0 && raw[0] == '{' {
		if !secret {
			return nil, Errorf(Invalid, "Properties: %q must be a string, number or boolean, not an object.", name)
		}
		var s Secret
		if err := json.Unmarshal(raw, &s); err != nil || !s.Set {
			return nil, Errorf(Invalid, "Properties: %q must be a string or an object with a SecretValue.", name)
		}
		return s, nil
	}
	var sc Scalar
	if err := json.Unmarshal(raw, &sc); err != nil {
		return nil, Errorf(Invalid, "Properties: %q must be a string, number or boolean.", name)
	}
	if !sc.Set {
		return nil, nil
	}
	if secret {
		return Secret{Value: sc.Value, Set: true}, nil
	}
	v := sc.Value
	if def != nil {
		switch def.Type {
		case "Bool":
			switch strings.ToLower(v) {
			case "true", "false":
				v = strings.ToLower(v)
			default:
				return nil, Errorf(Invalid, "Properties: %q is a Bool property; %q is not true or false.", name, v)
			}
		case "MultipleChoice":
			choices := strings.Split(def.DefaultValue.Value, ",")
			for i := range choices {
				choices[i] = strings.TrimSpace(choices[i])
			}
			if def.DefaultValue.Value != "" && !slices.Contains(choices, v) {
				return nil, Errorf(Invalid, "Properties: %q must be one of %s; %q is not.", name, strings.Join(choices, ", "), v)
			}
		}
	}
	if name == "ServerUseSsl" {
		if l := strings.ToLower(v); l == "true" || l == "false" {
			v = l
		} else {
			return nil, Errorf(Invalid, "Properties: \"ServerUseSsl\" must be true or false; %q is not.", v)
		}
	}
	return v, nil
}

func propertyNames(t *StoreType) string {
	names := make([]string, 0, len(t.Properties)+len(ServerProperties))
	for _, p := range t.Properties {
		names = append(names, p.Name)
	}
	names = append(names, ServerProperties...)
	return strings.Join(names, ", ")
}

// Stored is the properties as the store keeps them: secrets included.
func (p StoreProperties) Stored() (string, error) {
	out := map[string]any{}
	for k, v := range p {
		if s, ok := v.(Secret); ok {
			out[k] = map[string]string{"SecretValue": s.Value}
			continue
		}
		out[k] = v
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// Answer is the properties as Command answers them: a flat object, each
// secret shown as {"value":{"SecretTypeGuid":null,"InstanceId":null}}
// instead of its value.
func (p StoreProperties) Answer() string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		if _, ok := p[k].(Secret); ok {
			b.WriteString(`{"value":{"SecretTypeGuid":null,"InstanceId":null}}`)
			continue
		}
		vb, _ := json.Marshal(p[k])
		b.Write(vb)
	}
	b.WriteByte('}')
	return b.String()
}

// LoadStoreProperties reads properties as Stored wrote them.
func LoadStoreProperties(text string) (StoreProperties, error) {
	raw := map[string]json.RawMessage{}
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, fmt.Errorf("stored properties: %w", err)
	}
	p := StoreProperties{}
	for k, v := range raw {
		if len(v) > 0 && v[0] == '{' {
			var s Secret
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("stored property %s: %w", k, err)
			}
			p[k] = s
			continue
		}
		var str string
		if err := json.Unmarshal(v, &str); err != nil {
			return nil, fmt.Errorf("stored property %s: %w", k, err)
		}
		p[k] = str
	}
	return p, nil
}

// StoreInput is a certificate store as a client sends it (POST and PUT
// /CertificateStores) and as stores.json holds it (the answer's shape).
// Members match case-insensitively, so StorePath fills Storepath. The
// members clients send that Command does not read (Approved on POST,
// ContainerName, CertStoreInventoryJobId, ReenrollmentStatus,
// SetNewPasswordAllowed, DisplayName) are accepted and ignored, except
// Approved in fixtures: false makes a discovered store.
type StoreInput struct {
	Id                      string
	ContainerId             *int
	ClientMachine           string
	Storepath               string
	CertStoreType           *int
	CreateIfMissing         bool
	Properties              *string
	AgentId                 *string
	AgentAssigned           *bool
	InventorySchedule       *Schedule
	Password                Secret
	Approved                *bool
	DisplayName             json.RawMessage
	ContainerName           json.RawMessage
	CertStoreInventoryJobId json.RawMessage
	ReenrollmentStatus      json.RawMessage
	SetNewPasswordAllowed   json.RawMessage
}

// ContainerInput is a certificate store container as a client sends it
// (POST and PUT /CertificateStoreContainers) and containers.json holds it.
type ContainerInput struct {
	Id                 int
	Name               string
	OverwriteSchedules bool
	Schedule           *string
	CertStoreType      *int
	StoreCount         json.RawMessage // answered, never read
}
