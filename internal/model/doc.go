// Package model holds the Keyfactor Command entities the mock serves, in
// Command's wire shape: Go field names are the JSON member names (PascalCase),
// nullable members are pointers, and the lenient decoders accept what real
// clients send (a field Type as a number or a name, any JSON scalar where
// Command stores a string). It also holds the error vocabulary shared by the
// store and the HTTP layer.
package model
