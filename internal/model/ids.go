package model

import (
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// NormalizeGUID parses a GUID in any form uuid.Parse accepts and returns
// it in Command's canonical lower-case form.
func NormalizeGUID(id string) (string, error) {
	u, err := uuid.Parse(strings.TrimSpace(id))
	if err != nil {
		return "", fmt.Errorf("%q is not a GUID", id)
	}
	return u.String(), nil
}

// The two ways an id reaches the mock, and the one rule for each:
//
//   - in a URL path it names the resource the request is about: an id that
//     is malformed or unknown names nothing there, so it is NotFound (404);
//   - in a request body it is a value of the request: malformed or unknown,
//     the request is wrong, so it is Invalid (400).

// PathGUID reads the GUID of a path segment; what names the resource
// ("Agent", "Job") in the NotFound error for a malformed id.
func PathGUID(what, raw string) (string, error) {
	id, err := NormalizeGUID(raw)
	if err != nil {
		return "", Errorf(NotFound, "%s %q was not found: the id is not a GUID.", what, raw)
	}
	return id, nil
}

// BodyGUID reads the GUID of a request member; member names it ("AgentId",
// "OrchestratorIds[2]") in the Invalid error for a missing or malformed id.
func BodyGUID(member, raw string) (string, error) {
	if strings.TrimSpace(raw) == "" {
		return "", Errorf(Invalid, "%s is required.", member)
	}
	id, err := NormalizeGUID(raw)
	if err != nil {
		return "", Errorf(Invalid, "%s %s.", member, err)
	}
	return id, nil
}
