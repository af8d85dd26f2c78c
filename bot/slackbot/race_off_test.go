//go:build !race

package slackbot

// raceSlowdown scales wall-clock bounds in tests; see race_on_test.go.
const raceSlowdown = 1
