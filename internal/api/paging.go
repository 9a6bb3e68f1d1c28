package api

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/mockcommand/mockcommand/internal/store"
)

// Paging defaults, as Command documents them.
const (
	defaultPage  = 1
	defaultLimit = 50
)

// listOptions reads the paging, sorting and filter parameters of a list
// endpoint. Clients send them in several spellings: v10-era SDKs as
// pq.queryString, pq.pageReturned… (cstquery.*, certificateStoreQuery.*,
// query.* and sq.* on other endpoints), v25 as QueryString,
// PageReturned…. Keys match case-insensitively, bare or after any one
// prefix, and a prefixed key wins over a bare one, as in ASP.NET model
// binding.
func listOptions(r *http.Request) (store.ListOptions, error) {
	opts := store.ListOptions{Page: defaultPage, Limit: defaultLimit}
	params := map[string]string{}
	prefixed := map[string]bool{}
	for key, values := range r.URL.Query() {
		k := strings.ToLower(key)
		name := unprefixed(k)
		isPrefixed := name != k
		if len(values) == 0 || (prefixed[name] && !isPrefixed) {
			continue
		}
		params[name] = values[0]
		prefixed[name] = prefixed[name] || isPrefixed
	}
	opts.Query = params["querystring"]
	opts.SortField = strings.TrimSpace(params["sortfield"])
	var err error
	if opts.Page, err = positiveInt(params, "pagereturned", "PageReturned", defaultPage); err != nil {
		return opts, err
	}
	if opts.Limit, err = positiveInt(params, "returnlimit", "ReturnLimit", defaultLimit); err != nil {
		return opts, err
	}
	switch v := strings.ToLower(strings.TrimSpace(params["sortascending"])); v {
	case "", "0", "ascending":
	case "1", "descending":
		opts.Descending = true
	default:
		return opts, newError(http.StatusBadRequest, codePaging,
			fmt.Sprintf("SortAscending %q is not valid; use 0 (ascending) or 1 (descending).", params["sortascending"]))
	}
	return opts, nil
}

func positiveInt(params map[string]string, key, name string, def int) (int, error) {
	v := strings.TrimSpace(params[key])
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 || n > math.MaxInt32 {
		return 0, newError(http.StatusBadRequest, codePaging,
			fmt.Sprintf("%s %q is not valid; it must be a whole number from 1 to %d.", name, params[key], math.MaxInt32))
	}
	return int(n), nil
}
