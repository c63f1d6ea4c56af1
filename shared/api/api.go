// Package api holds Rapport's published HTTP contract, the OpenAPI 3.1 document.
package api

import _ "embed"

// OpenAPI is the OpenAPI 3.1 document of the routes Rapport serves.
//
//go:embed openapi.yaml
var OpenAPI []byte
