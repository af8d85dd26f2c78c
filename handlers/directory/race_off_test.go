//go:build !race

package directory

// propertySeeds: see race_on_test.go.
const propertySeeds = 40
