package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// DataType is the type of a custom job type field (CSS.CMS.Data.Model.Enums.DataType).
type DataType int

// The field types. Command's enum also has 5, which no public source names;
// the mock accepts it as an untyped field whose values are not checked.
const (
	TypeString   DataType = 1
	TypeInt      DataType = 2
	TypeDateTime DataType = 3
	TypeBool     DataType = 4
	TypeOther    DataType = 5
)

var dataTypeNames = map[DataType]string{TypeString: "String", TypeInt: "Int", TypeDateTime: "DateTime", TypeBool: "Bool"}

// String names the type ("String", "Int", "DateTime", "Bool", or "5").
func (t DataType) String() string {
	if n, ok := dataTypeNames[t]; ok {
		return n
	}
	return strconv.Itoa(int(t))
}

// Valid reports whether t is in Command's enum.
func (t DataType) Valid() bool { return t >= TypeString && t <= TypeOther }

// UnmarshalJSON accepts the enum value as a number or its name
// (case-insensitive, with "Integer" and "Boolean" as synonyms), as the
// Command documentation's own examples send "Type": "String".
func (t *DataType) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		v, ok := ParseDataType(s)
		if !ok {
			return fmt.Errorf("%q is not a field type; use 1 (String), 2 (Int), 3 (DateTime), 4 (Bool) or 5", s)
		}
		*t = v
		return nil
	}
	var n int
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("expected a field type number or name")
	}
	*t = DataType(n)
	return nil
}

// ParseDataType reads a type name or number.
func ParseDataType(s string) (DataType, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return DataType(n), DataType(n).Valid()
	}
	switch strings.ToLower(s) {
	case "string":
		return TypeString, true
	case "int", "integer", "int32":
		return TypeInt, true
	case "datetime", "date":
		return TypeDateTime, true
	case "bool", "boolean":
		return TypeBool, true
	}
	return 0, false
}

// CheckValue reports whether v is a valid value of type t, and returns it
// normalised ("True" becomes "true"; numbers keep their text).
func (t DataType) CheckValue(v string) (string, error) {
	switch t {
	case TypeInt:
		s := strings.TrimSpace(v)
		if _, err := strconv.ParseInt(s, 10, 32); err != nil {
			return "", fmt.Errorf("%q is not a valid Int (a whole number from -2147483648 to 2147483647)", v)
		}
		return s, nil
	case TypeBool:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			return "true", nil
		case "false":
			return "false", nil
		}
		return "", fmt.Errorf("%q is not a valid Bool (true or false)", v)
	case TypeDateTime:
		if _, err := ParseTime(v); err != nil {
			return "", fmt.Errorf("%q is not a valid DateTime (ISO 8601, for example 2025-03-14T09:30:00Z)", v)
		}
		return strings.TrimSpace(v), nil
	}
	return v, nil
}

// JobType is a custom job type, in the shape of Command's JobTypeResponse
// (and, on input, JobTypeCreateRequest/JobTypeUpdateRequest).
type JobType struct {
	Id            string
	JobTypeName   string
	Description   *string
	JobTypeFields []JobTypeField
}

// JobTypeField is one field of a custom job type.
type JobTypeField struct {
	Name         string
	Type         DataType
	DefaultValue Scalar
	Required     bool
}

// FetchLogsJobTypeName is the built-in job type that fetches an
// orchestrator's logs. It has no fields and needs the LOGS capability.
const FetchLogsJobTypeName = "FetchLogs"

// FetchLogsJobTypeID is the fixed id of the built-in FetchLogs job type.
const FetchLogsJobTypeID = "0c6f6a5e-6b5f-4f0e-9d52-1a7c3f8f0e01"

// LogsCapability is the capability an orchestrator needs to run FetchLogs.
const LogsCapability = "LOGS"

// Validate checks a job type definition and normalises it in place: names
// trimmed, field types known, defaults fitting their types, field names
// unique (case-insensitively). The error is an Invalid *Error naming the
// problem.
func (jt *JobType) Validate() error {
	jt.JobTypeName = strings.TrimSpace(jt.JobTypeName)
	if jt.JobTypeName == "" {
		return Errorf(Invalid, "JobTypeName is required.")
	}
	if len(jt.JobTypeName) > 400 {
		return Errorf(Invalid, "JobTypeName must be at most 400 characters.")
	}
	if strings.ContainsFunc(jt.JobTypeName, unicode.IsControl) {
		return Errorf(Invalid, "JobTypeName %q contains a control character.", jt.JobTypeName)
	}
	seen := make(map[string]bool, len(jt.JobTypeFields))
	for i := range jt.JobTypeFields {
		f := &jt.JobTypeFields[i]
		f.Name = strings.TrimSpace(f.Name)
		if f.Name == "" {
			return Errorf(Invalid, "JobTypeFields[%d].Name is required.", i)
		}
		key := strings.ToLower(f.Name)
		if seen[key] {
			return Errorf(Invalid, "JobTypeFields[%d]: the field name %q is used more than once.", i, f.Name)
		}
		seen[key] = true
		if !f.Type.Valid() {
			return Errorf(Invalid, "JobTypeFields[%d] (%s): Type %d is not a field type; use 1 (String), 2 (Int), 3 (DateTime), 4 (Bool) or 5.", i, f.Name, f.Type)
		}
		if f.DefaultValue.Set {
			v, err := f.Type.CheckValue(f.DefaultValue.Value)
			if err != nil {
				return Errorf(Invalid, "JobTypeFields[%d] (%s): DefaultValue %s.", i, f.Name, err)
			}
			f.DefaultValue = S(v)
		}
	}
	return nil
}

// NameKey folds a job type name for comparison: names that differ only in
// case (in any script, not only ASCII) are the same job type.
func NameKey(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// FieldNames lists the type's field names, sorted, for error messages.
func (jt *JobType) FieldNames() []string {
	names := make([]string, len(jt.JobTypeFields))
	for i, f := range jt.JobTypeFields {
		names[i] = f.Name
	}
	sort.Strings(names)
	return names
}
