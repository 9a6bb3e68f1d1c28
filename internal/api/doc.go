// Package api serves the Keyfactor Command REST API over the store: the
// chi router, the protocol middleware (base path, Keyfactor headers,
// authentication), request decoding, response encoding and Command-shaped
// error bodies.
package api
