// Package seed reads fixture directories (agents.json, jobtypes.json; see
// the fixtures package for the built-in set) into model.Fixtures, naming
// the file, entry and line of any problem. Large agent files are decoded
// on every CPU, and can be streamed into the store while they decode.
package seed

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/mockcommand/mockcommand/fixtures"
	"github.com/mockcommand/mockcommand/internal/model"
)

// The file names read from a fixtures directory.
const (
	AgentsFile   = fixtures.AgentsFile
	JobTypesFile = fixtures.JobTypesFile

	StoreTypesFile = fixtures.StoreTypesFile
	ContainersFile = fixtures.ContainersFile
	StoresFile     = fixtures.StoresFile
	CAsFile        = fixtures.CAsFile
	TemplatesFile  = fixtures.TemplatesFile
	MetadataFile   = fixtures.MetadataFile
	CertsFile      = fixtures.CertsFile
)

// Load reads and validates the fixtures in fsys. A missing file means an
// empty list, but at least one of the two must exist. label names the
// source in error messages (a directory path, or "built-in fixtures"). The
// returned fixtures are normalised. Entries without an id get one derived
// from their content, so loading the same files again (a reset) gives the
// same ids; a missing LastSeen is now. source describes the files: the
// label and a checksum of their content, which a persistent database
// keeps, so that a later start can tell it was seeded from other files.
func Load(fsys fs.FS, label string, now time.Time) (f model.Fixtures, source string, err error) {
	return load(fsys, label, now, false)
}

// Stream is Load, except that a large agents.json (from a few thousand
// agents) is left to decode while the store is seeded from it: the
// returned fixtures' AgentBatches supplies its agents (Agents is empty),
// decoded on all CPUs a little ahead of the store, and names the entry at
// fault as Load does, in a *FileError. Smaller files load as by Load.
func Stream(fsys fs.FS, label string, now time.Time) (f model.Fixtures, source string, err error) {
	return load(fsys, label, now, true)
}

// crcTable is CRC-32C, which the CPU computes at memory speed: a
// checksum of a 70 MB agents file costs a few tens of milliseconds.
var crcTable = crc32.MakeTable(crc32.Castagnoli)

func load(fsys fs.FS, label string, now time.Time, stream bool) (model.Fixtures, string, error) {
	var f model.Fixtures
	agentData, errA := readFile(fsys, label, AgentsFile)
	jobTypeData, errJ := readFile(fsys, label, JobTypesFile)
	if errors.Is(errA, fs.ErrNotExist) && errors.Is(errJ, fs.ErrNotExist) {
		return model.Fixtures{}, "", fmt.Errorf("%s: neither %s nor %s was found", label, AgentsFile, JobTypesFile)
	}
	for _, err := range []error{errA, errJ} {
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return model.Fixtures{}, "", err
		}
	}
	sum := crc32.Update(crc32.Checksum(agentData, crcTable), crcTable, jobTypeData)
	if errJ == nil {
		if err := decodeArray(label, JobTypesFile, jobTypeData, &f.JobTypes); err != nil {
			return model.Fixtures{}, "", err
		}
	}
	storeData := map[string][]byte{}
	for _, file := range []string{StoreTypesFile, ContainersFile, StoresFile, CAsFile, TemplatesFile, MetadataFile, CertsFile} {
		data, err := readFile(fsys, label, file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return model.Fixtures{}, "", err
		}
		storeData[file] = data
		sum = crc32.Update(sum, crcTable, data)
		switch file {
		case StoreTypesFile:
			err = decodeArray(label, file, data, &f.StoreTypes)
		case ContainersFile:
			err = decodeArray(label, file, data, &f.Containers)
		case CAsFile:
			err = decodeArray(label, file, data, &f.CAs)
		case TemplatesFile:
			err = decodeArray(label, file, data, &f.Templates)
		case MetadataFile:
			err = decodeArray(label, file, data, &f.MetadataFields)
		case CertsFile:
			err = decodeArray(label, file, data, &f.Certificates)
		default:
			err = decodeArray(label, file, data, &f.Stores)
		}
		if err != nil {
			return model.Fixtures{}, "", err
		}
	}
	for i := range f.Stores {
		assignStoreID(&f.Stores[i])
	}
	source := fmt.Sprintf("%s (checksum %08x)", label, sum)
	var ids idAssigner
	switch {
	case errA != nil:
	case stream && len(agentData) >= 2*minChunk:
		f.AgentBatches = streamAgents(label, agentData)
	default:
		if err := decodeArray(label, AgentsFile, agentData, &f.Agents); err != nil {
			return model.Fixtures{}, "", err
		}
		for i := range f.Agents {
			ids.agent(&f.Agents[i])
		}
	}
	for i := range f.JobTypes {
		assignJobTypeID(&f.JobTypes[i])
	}
	if err := f.Normalize(now); err != nil {
		var ee *model.EntryError
		if !errors.As(err, &ee) {
			return model.Fixtures{}, "", fmt.Errorf("%s: %w", label, err)
		}
		if ee.Set == "JobTypes" {
			return model.Fixtures{}, "", entryError(label, JobTypesFile, jobTypeData, ee)
		}
		if file, ok := map[string]string{"StoreTypes": StoreTypesFile, "CAs": CAsFile, "Templates": TemplatesFile, "MetadataFields": MetadataFile}[ee.Set]; ok {
			return model.Fixtures{}, "", entryError(label, file, storeData[file], ee)
		}
		return model.Fixtures{}, "", entryError(label, AgentsFile, agentData, ee)
	}
	return f, source, nil
}

// FileError is a problem with a fixture file, naming the file and, when
// one entry is at fault, the entry (its index, counting from 0, and the
// line it starts on).
type FileError struct {
	File  string // the file under its label: "./myfixtures/agents.json"
	Entry int    // -1 when the file as a whole is wrong
	Line  int
	Err   error
}

// Error says where the problem is, then what it is.
func (e *FileError) Error() string {
	if e.Entry < 0 {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s: entry %d (line %d): %v", e.File, e.Entry, e.Line, e.Err)
}

// Unwrap returns the problem.
func (e *FileError) Unwrap() error { return e.Err }

// entryError is the *FileError for an entry the store refused.
func entryError(label, file string, data []byte, ee *model.EntryError) error {
	line := 0
	if lines := entryLines(data); ee.Index < len(lines) {
		line = lines[ee.Index]
	}
	return &FileError{File: label + "/" + file, Entry: ee.Index, Line: line, Err: ee.Err}
}

// idSpace is the namespace of the GUIDs given to fixture entries without one.
var idSpace = uuid.MustParse("6f1d1a57-5c2e-4a8e-9d3b-6d6f636b636d")

// idAssigner gives agents without an id, in file order, a GUID derived
// from their ClientMachine, so the same fixtures give the same ids at every
// start and every reset. Agents sharing a name (or having none) are told
// apart by their order.
type idAssigner struct {
	seen map[string]int
}

func (g *idAssigner) agent(a *model.Agent) {
	if strings.TrimSpace(a.AgentId) != "" {
		return
	}
	if g.seen == nil {
		g.seen = map[string]int{}
	}
	key := "agent\x00"
	if a.ClientMachine != nil {
		key += strings.ToLower(strings.TrimSpace(*a.ClientMachine))
	}
	g.seen[key]++
	a.AgentId = uuid.NewSHA1(idSpace, []byte(fmt.Sprintf("%s\x00%d", key, g.seen[key]))).String()
}

// assignJobTypeID gives a job type without an Id a GUID derived from its name.
func assignJobTypeID(jt *model.JobType) {
	if strings.TrimSpace(jt.Id) == "" && strings.TrimSpace(jt.JobTypeName) != "" {
		jt.Id = uuid.NewSHA1(idSpace, []byte("jobtype\x00"+model.NameKey(jt.JobTypeName))).String()
	}
}

// assignStoreID gives a store without an Id a GUID derived from its
// type, machine and path, which identify it.
func assignStoreID(st *model.StoreInput) {
	if strings.TrimSpace(st.Id) != "" || st.CertStoreType == nil {
		return
	}
	key := fmt.Sprintf("store\x00%d\x00%s\x00%s", *st.CertStoreType, strings.ToLower(strings.TrimSpace(st.ClientMachine)), strings.ToLower(strings.TrimSpace(st.Storepath)))
	st.Id = uuid.NewSHA1(idSpace, []byte(key)).String()
}

// readFile returns the content of a fixture file, without a byte-order
// mark; a missing file is an error that wraps fs.ErrNotExist.
func readFile(fsys fs.FS, label, file string) ([]byte, error) {
	data, err := fs.ReadFile(fsys, file)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, &FileError{File: label + "/" + file, Entry: -1, Err: err}
	}
	return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), nil // files saved by Windows tools often start with a byte-order mark
}

// decodeArray decodes the JSON array in a file's data into *out. It
// decodes the whole array in one pass; only when that fails does it decode
// entry by entry, to name the entry that is wrong.
func decodeArray[T any](label, file string, data []byte, out *[]T) error {
	fastErr := decodeParallel(data, out)
	if fastErr == nil {
		return nil
	}
	*out = nil
	return explainArray[T](label, file, data, fastErr)
}

// explainArray finds what is wrong with the array in data, which a fast
// decoder refused with fastErr, and returns it as a *FileError naming the
// entry at fault (and its first line) when one is. JSON syntax errors are
// reported for the whole file, with their line and column.
func explainArray[T any](label, file string, data []byte, fastErr error) error {
	path := label + "/" + file
	var raw []json.RawMessage
	if err := model.DecodeJSON(data, &raw); err != nil {
		return &FileError{File: path, Entry: -1, Err: fmt.Errorf("%v (the file must hold a JSON array)", err)}
	}
	lines := entryLines(data)
	for i, r := range raw {
		var v T
		if err := model.DecodeJSON(r, &v); err != nil {
			return &FileError{File: path, Entry: i, Line: lines[i], Err: err}
		}
	}
	// Every entry decodes alone but the whole does not (it is null, say).
	return &FileError{File: path, Entry: -1, Err: fmt.Errorf("%v (the file must hold a JSON array)", fastErr)}
}

// nextValue returns the offset of the first byte at or after at that is
// not a comma or white space: where the next value of an array starts
// once a decoder's InputOffset has passed the previous one.
func nextValue(data []byte, at int) int {
	for at < len(data) && strings.IndexByte(", \t\r\n", data[at]) >= 0 {
		at++
	}
	return at
}

// decodeStream decodes a JSON array one entry at a time (unknown members
// rejected), which keeps the decoder's buffer at the size of one entry
// instead of the whole file. Its errors are terse; callers that need to
// say which entry is wrong decode again entry by entry.
func decodeStream[T any](data []byte, out *[]T) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return fmt.Errorf("not a JSON array")
	}
	for dec.More() {
		var v T
		if err := dec.Decode(&v); err != nil {
			return err
		}
		*out = append(*out, v)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim(']') {
		return fmt.Errorf("unterminated JSON array")
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("data after the JSON array")
	}
	return nil
}

// entryLines returns the line on which each entry of the JSON array in
// data starts (data must be a valid array).
func entryLines(data []byte) []int {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // [
		return nil
	}
	var lines []int
	line, counted := 1, 0
	for dec.More() {
		at := nextValue(data, int(dec.InputOffset()))
		line += bytes.Count(data[counted:at], []byte("\n"))
		counted = at
		lines = append(lines, line)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			break
		}
	}
	return lines
}
