package storage

import (
	"maps"
	"slices"
	"strings"
)

// DetailText writes e's facts as "key=value" pairs, keys sorted, for a
// person to read (the command line, a person's own data).
func (e *AuditEntry) DetailText() string {
	parts := make([]string, 0, len(e.Detail))
	for _, k := range slices.Sorted(maps.Keys(e.Detail)) {
		parts = append(parts, k+"="+e.Detail[k])
	}
	return strings.Join(parts, " ")
}
