//go:build race

package slackbot

// raceSlowdown scales wall-clock bounds in tests: the race detector makes
// code 5–10 times slower, and Slack's 3-second limit is about production
// builds. .ci/run also runs the storm test without -race, at the real bound.
const raceSlowdown = 5
