package query

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Type is the type of a field, which decides the operators and values a
// comparison on it accepts.
type Type int

// The field types.
const (
	// String fields accept -eq, -ne, -contains, -notcontains, -startswith
	// and -endswith with any string value.
	String Type = iota
	// Int fields accept -eq, -ne, -lt, -le, -gt and -ge with an integer
	// value or, when the field has an Enum, one of its names.
	Int
	// Bool fields accept -eq and -ne with true or false.
	Bool
	// Date fields accept -eq, -ne, -lt, -le, -gt and -ge with an ISO-8601
	// date or date-time, or %TODAY%.
	Date
	// StringList fields hold several strings. They accept -contains and
	// -notcontains with a string (a membership test), and -eq NULL and
	// -ne NULL (the list is empty or not).
	StringList
)

// String returns the name of the type as used in error messages: "String",
// "Int", "Bool", "DateTime" or "List".
func (t Type) String() string {
	switch t {
	case String:
		return "String"
	case Int:
		return "Int"
	case Bool:
		return "Bool"
	case Date:
		return "DateTime"
	case StringList:
		return "List"
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

// Field describes one queryable field of a resource.
type Field struct {
	// Name is the canonical name of the field, for example "Status".
	Name string
	// Type is the type of the field.
	Type Type
	// Aliases are other names accepted for the field, for example
	// "Platform" for "AgentPlatform".
	Aliases []string
	// Enum optionally maps names to values for an Int field, for example
	// {"New": 1, "Approved": 2}. The names are accepted as values in
	// queries, compared without regard to ASCII case. A value that parses
	// as an integer is always taken as that integer.
	Enum map[string]int64
}

// Schema is the set of fields of one resource. It is immutable once built
// and safe for concurrent use.
type Schema struct {
	fields []*Field
	byName map[string]*Field     // keys are ASCII-lower-cased names and aliases
	enums  map[*Field]*enumIndex // for fields with an Enum
}

// enumIndex is the lookup form of a Field.Enum.
type enumIndex struct {
	byName map[string]int64 // keys are ASCII-lower-cased names
	names  string           // "New, Approved, Disapproved": ordered by value, then name
}

// NewSchema returns a schema of the given fields, in that order. It copies
// the fields, so later changes to the arguments do not affect the schema.
//
// Field names and aliases are compared without regard to ASCII case.
// NewSchema panics if a field has an empty name or an invalid type, if two
// names or aliases collide, if a non-Int field has an Enum, or if two enum
// names of a field collide; these are programming errors.
func NewSchema(fields ...Field) *Schema {
	s := &Schema{
		fields: make([]*Field, 0, len(fields)),
		byName: make(map[string]*Field, len(fields)),
		enums:  make(map[*Field]*enumIndex),
	}
	for i := range fields {
		f := fields[i]
		f.Aliases = slices.Clone(f.Aliases)
		f.Enum = maps.Clone(f.Enum)
		fp := &f
		if f.Name == "" {
			panic(fmt.Sprintf("query.NewSchema: field %d has no name", i))
		}
		if f.Type < String || f.Type > StringList {
			panic(fmt.Sprintf("query.NewSchema: field %q has invalid type %v", f.Name, f.Type))
		}
		for _, name := range append([]string{f.Name}, f.Aliases...) {
			key := toLowerASCII(name)
			if name == "" {
				panic(fmt.Sprintf("query.NewSchema: field %q has an empty alias", f.Name))
			}
			if prev, dup := s.byName[key]; dup {
				panic(fmt.Sprintf("query.NewSchema: name %q of field %q collides with field %q", name, f.Name, prev.Name))
			}
			s.byName[key] = fp
		}
		if len(f.Enum) > 0 {
			if f.Type != Int {
				panic(fmt.Sprintf("query.NewSchema: field %q has an Enum but is not an Int field", f.Name))
			}
			s.enums[fp] = newEnumIndex(f)
		}
		s.fields = append(s.fields, fp)
	}
	return s
}

// newEnumIndex builds the lookup form of f.Enum.
func newEnumIndex(f Field) *enumIndex {
	idx := &enumIndex{byName: make(map[string]int64, len(f.Enum))}
	names := slices.Collect(maps.Keys(f.Enum))
	slices.SortFunc(names, func(a, b string) int {
		if c := cmp.Compare(f.Enum[a], f.Enum[b]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	for _, name := range names {
		key := toLowerASCII(name)
		if _, dup := idx.byName[key]; dup || name == "" {
			panic(fmt.Sprintf("query.NewSchema: field %q has empty or colliding enum name %q", f.Name, name))
		}
		idx.byName[key] = f.Enum[name]
	}
	idx.names = strings.Join(names, ", ")
	return idx
}

// Lookup returns the field called name, by canonical name or alias,
// compared without regard to ASCII case. The returned field must not be
// modified.
func (s *Schema) Lookup(name string) (*Field, bool) {
	if s == nil {
		return nil, false
	}
	f, ok := s.byName[toLowerASCII(name)]
	return f, ok
}

// Fields returns the fields of the schema in declaration order. The slice
// is a copy; the fields it points to must not be modified.
func (s *Schema) Fields() []*Field {
	if s == nil {
		return nil
	}
	return slices.Clone(s.fields)
}

// enumValue returns the value of the enum name of field f.
func (s *Schema) enumValue(f *Field, name string) (int64, bool) {
	idx := s.enums[f]
	if idx == nil {
		return 0, false
	}
	v, ok := idx.byName[toLowerASCII(name)]
	return v, ok
}

// enumNames returns the enum names of field f for error messages, or "" if
// it has none.
func (s *Schema) enumNames(f *Field) string {
	if idx := s.enums[f]; idx != nil {
		return idx.names
	}
	return ""
}

// fieldNames returns the canonical field names for error messages.
func (s *Schema) fieldNames() string {
	if s == nil {
		return ""
	}
	names := make([]string, len(s.fields))
	for i, f := range s.fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}
