package model

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Fixtures is a set of entities in Command's wire shapes: what the mock
// starts from (the fixture files), what a reset returns to, and what
// POST /_mock/seed adds.
type Fixtures struct {
	Agents   []Agent
	JobTypes []JobType
	// StoreTypes, Containers and Stores are certificate store types,
	// store containers and stores. They are checked against each other
	// and the agents when they are stored (see store.Seed).
	StoreTypes []StoreType
	Containers []ContainerInput
	Stores     []StoreInput
	// CAs and Templates are the certificate authorities and templates
	// (see CAFixture and TemplateFixture).
	CAs            []CAFixture
	Templates      []TemplateFixture
	MetadataFields []MetadataField
	Certificates   []CertificateFixture
	// AgentBatches, when not nil, supplies more agents after Agents, in
	// order, one batch per call of put, so that a large fixture file is
	// stored while it is still being decoded. It returns put's first error.
	// Its agents are normalised and checked as they are stored; a batch
	// must not be modified after put returns.
	AgentBatches func(put func(batch []Agent) error) error

	normalized bool // Normalize succeeded on exactly these slices
}

// Normalized reports whether Normalize has checked these fixtures.
func (f *Fixtures) Normalized() bool { return f.normalized }

// EntryError names the fixture entry that is wrong: Set is "Agents" or
// "JobTypes", Index its position in that list, counting from 0.
type EntryError struct {
	Set   string
	Index int
	Err   error
}

// Error names the entry ("Agents[3]: ...") and the problem.
func (e *EntryError) Error() string { return fmt.Sprintf("%s[%d]: %v", e.Set, e.Index, e.Err) }

// Unwrap returns the entry's problem, so errors.As finds an *Error.
func (e *EntryError) Unwrap() error { return e.Err }

// Normalize validates every entry and fills what may be omitted (see
// Agent.Normalize and JobType.Validate), working on copies of the slices.
// Two agents with one AgentId, or two job types with one name or Id, are
// errors. The error is an *EntryError wrapping an Invalid *Error.
func (f *Fixtures) Normalize(now time.Time) error {
	f.Agents, f.JobTypes = slices.Clone(f.Agents), slices.Clone(f.JobTypes)
	f.StoreTypes = slices.Clone(f.StoreTypes)
	if err := normalizeStoreTypes(f.StoreTypes); err != nil {
		return err
	}
	f.CAs, f.Templates = slices.Clone(f.CAs), slices.Clone(f.Templates)
	if err := normalizePKI(f.CAs, f.Templates); err != nil {
		return err
	}
	f.MetadataFields = slices.Clone(f.MetadataFields)
	for i := range f.MetadataFields {
		if err := f.MetadataFields[i].Normalize(); err != nil {
			return &EntryError{Set: "MetadataFields", Index: i, Err: err}
		}
	}
	names := map[string]int{}
	ids := map[string]int{}
	for i := range f.JobTypes {
		jt := &f.JobTypes[i]
		fail := func(err error) error { return &EntryError{Set: "JobTypes", Index: i, Err: err} }
		if err := jt.Validate(); err != nil {
			return fail(err)
		}
		if strings.EqualFold(jt.JobTypeName, FetchLogsJobTypeName) {
			return fail(Errorf(Invalid, "%s is built in and cannot be defined.", FetchLogsJobTypeName))
		}
		if j, dup := names[NameKey(jt.JobTypeName)]; dup {
			return fail(Errorf(Invalid, "JobTypeName %q is also used by JobTypes[%d].", jt.JobTypeName, j))
		}
		names[NameKey(jt.JobTypeName)] = i
		if jt.Id == "" {
			continue
		}
		id, err := NormalizeGUID(jt.Id)
		if err != nil {
			return fail(Errorf(Invalid, "Id %s.", err))
		}
		if id == FetchLogsJobTypeID {
			return fail(Errorf(Invalid, "Id %s belongs to the built-in %s job type.", id, FetchLogsJobTypeName))
		}
		if j, dup := ids[id]; dup {
			return fail(Errorf(Invalid, "Id %s is also used by JobTypes[%d].", id, j))
		}
		ids[id] = i
		jt.Id = id
	}
	check := NewAgentCheck(now, len(f.Agents))
	for i := range f.Agents {
		if err := check.Add(&f.Agents[i]); err != nil {
			return err
		}
	}
	f.normalized = true
	return nil
}

// AgentCheck normalises agents in order and refuses a second agent with an
// AgentId already seen.
type AgentCheck struct {
	now  time.Time
	seen map[string]int // AgentId -> index
}

// NewAgentCheck returns a check for about n agents.
func NewAgentCheck(now time.Time, n int) *AgentCheck {
	return &AgentCheck{now: now, seen: make(map[string]int, n)}
}

// Add normalises a, the next agent, or returns an *EntryError naming it.
func (c *AgentCheck) Add(a *Agent) error {
	i := len(c.seen)
	if err := a.Normalize(c.now); err != nil {
		return &EntryError{Set: "Agents", Index: i, Err: err}
	}
	if j, dup := c.seen[a.AgentId]; dup {
		return &EntryError{Set: "Agents", Index: i, Err: Errorf(Invalid, "AgentId %s is also used by Agents[%d].", a.AgentId, j)}
	}
	c.seen[a.AgentId] = i
	return nil
}

// normalizeStoreTypes checks fixture store types: each is valid, and no
// two share a StoreType id or a ShortName.
func normalizeStoreTypes(types []StoreType) error {
	ids, names := map[int]int{}, map[string]int{}
	for i := range types {
		t := &types[i]
		fail := func(err error) error { return &EntryError{Set: "StoreTypes", Index: i, Err: err} }
		if err := t.Normalize(); err != nil {
			return fail(err)
		}
		if t.StoreType < 0 {
			return fail(Errorf(Invalid, "StoreType %d is not valid; ids are 0 or more.", t.StoreType))
		}
		t.SetID(t.StoreType)
		if j, dup := ids[t.StoreType]; dup {
			return fail(Errorf(Invalid, "StoreType %d is also the id of StoreTypes[%d].", t.StoreType, j))
		}
		if j, dup := names[NameKey(t.ShortName)]; dup {
			return fail(Errorf(Invalid, "ShortName %q is also used by StoreTypes[%d].", t.ShortName, j))
		}
		ids[t.StoreType], names[NameKey(t.ShortName)] = i, i
	}
	return nil
}

// normalizePKI checks fixture CAs and templates: names given and unique,
// each CA's parent listed before it, ids numbered from 1 where left out.
func normalizePKI(cas []CAFixture, templates []TemplateFixture) error {
	names, ids := map[string]int{}, map[int]int{}
	for i := range cas {
		c := &cas[i]
		fail := func(err error) error { return &EntryError{Set: "CAs", Index: i, Err: err} }
		c.LogicalName, c.HostName = strings.TrimSpace(c.LogicalName), strings.TrimSpace(c.HostName)
		if c.LogicalName == "" || c.HostName == "" {
			return fail(Errorf(Invalid, "LogicalName and HostName are required: enrollment names a CA as HostName\\LogicalName."))
		}
		if c.Id == 0 {
			c.Id = i + 1
		}
		if c.Organization == "" {
			c.Organization = "mockcommand"
		}
		if j, dup := names[NameKey(c.LogicalName)]; dup {
			return fail(Errorf(Invalid, "LogicalName %q is also used by CAs[%d].", c.LogicalName, j))
		}
		if j, dup := ids[c.Id]; dup {
			return fail(Errorf(Invalid, "Id %d is also used by CAs[%d].", c.Id, j))
		}
		if _, ok := names[NameKey(c.Parent)]; c.Parent != "" && !ok {
			return fail(Errorf(Invalid, "Parent %q is not a CA listed before this one.", c.Parent))
		}
		names[NameKey(c.LogicalName)], ids[c.Id] = i, i
	}
	seen := map[string]int{}
	for i := range templates {
		t := &templates[i]
		if err := t.Normalize(); err != nil {
			return &EntryError{Set: "Templates", Index: i, Err: err}
		}
		if j, dup := seen[NameKey(t.CommonName)]; dup {
			return &EntryError{Set: "Templates", Index: i, Err: Errorf(Invalid, "CommonName %q is also used by Templates[%d].", t.CommonName, j)}
		}
		seen[NameKey(t.CommonName)] = i
		for _, ca := range t.CAs {
			if _, ok := names[NameKey(ca)]; !ok {
				return &EntryError{Set: "Templates", Index: i, Err: Errorf(Invalid, "CAs: %q is not a CA of the fixtures.", ca)}
			}
		}
	}
	return nil
}
