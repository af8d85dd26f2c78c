package metrics

import (
	"bufio"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Prometheus' text exposition format (version 0.0.4), written by hand:
// copbot's families are a few counters, one histogram and gauges read at
// scrape time. The client library it replaces (client_golang, with
// protobuf) touched about 2.5 MB of the binary and the heap at start-up
// in every copbot process, metrics configured or not.

// contentType is the text format's.
const contentType = "text/plain; version=0.0.4; charset=utf-8"

// maxLabels is the most labels a series of a vec has.
const maxLabels = 3

// vec is a counter or histogram family with fixed label names. Its zero
// buckets make it a counter; with buckets, a histogram.
type vec struct {
	name, help string
	labels     []string
	buckets    []float64 // upper bounds, ascending, +Inf implied

	mu     sync.Mutex
	series map[[maxLabels]string]*series
}

// series is one set of label values' numbers.
type series struct {
	values []string
	count  float64  // a counter's value; a histogram's observations
	sum    float64  // a histogram's sum
	in     []uint64 // a histogram's observations per bucket (not cumulative)
}

func newVec(name, help string, buckets []float64, labels ...string) *vec {
	if len(labels) > maxLabels {
		panic("metrics: too many labels for " + name)
	}
	return &vec{name: name, help: help, labels: labels, buckets: buckets, series: map[[maxLabels]string]*series{}}
}

// get returns the series of values, made if new; v.mu is held.
func (v *vec) get(values []string) *series {
	var k [maxLabels]string
	copy(k[:], values)
	s := v.series[k]
	if s == nil {
		s = &series{values: slices.Clone(values)}
		if v.buckets != nil {
			s.in = make([]uint64, len(v.buckets)+1)
		}
		v.series[k] = s
	}
	return s
}

// inc adds one to the counter of values (one per label, in order).
func (v *vec) inc(values ...string) {
	v.mu.Lock()
	v.get(values).count++
	v.mu.Unlock()
}

// observe adds x to the histogram of values.
func (v *vec) observe(x float64, values ...string) {
	i := sort.SearchFloat64s(v.buckets, x) // the first bound ≥ x; len for +Inf
	v.mu.Lock()
	s := v.get(values)
	s.count++
	s.sum += x
	s.in[i]++
	v.mu.Unlock()
}

// family is what a scrape writes of one metric name.
type family struct {
	name, help, typ string
	samples         []sample
}

// sample is one line: the family's name with a suffix, labels, a value.
type sample struct {
	suffix string
	labels []label
	value  float64
}

type label struct{ name, value string }

// family copies v's numbers, series in label order.
func (v *vec) family() family {
	typ := "counter"
	if v.buckets != nil {
		typ = "histogram"
	}
	f := family{name: v.name, help: v.help, typ: typ}
	v.mu.Lock()
	all := make([]series, 0, len(v.series))
	for _, s := range v.series {
		all = append(all, series{values: s.values, count: s.count, sum: s.sum, in: slices.Clone(s.in)})
	}
	v.mu.Unlock()
	slices.SortFunc(all, func(a, b series) int { return slices.Compare(a.values, b.values) })
	for _, s := range all {
		ls := make([]label, len(v.labels))
		for i, n := range v.labels {
			ls[i] = label{n, s.values[i]}
		}
		if v.buckets == nil {
			f.samples = append(f.samples, sample{labels: ls, value: s.count})
			continue
		}
		var cum uint64
		for i, c := range s.in {
			cum += c
			le := "+Inf"
			if i < len(v.buckets) {
				le = formatFloat(v.buckets[i])
			}
			f.samples = append(f.samples, sample{suffix: "_bucket", labels: append(slices.Clone(ls), label{"le", le}), value: float64(cum)})
		}
		f.samples = append(f.samples, sample{suffix: "_sum", labels: ls, value: s.sum},
			sample{suffix: "_count", labels: ls, value: s.count})
	}
	return f
}

// gauge is a family of one sample.
func gauge(name, help string, value float64, labels ...label) family {
	return family{name: name, help: help, typ: "gauge", samples: []sample{{labels: labels, value: value}}}
}

// writeFamilies writes fs in name order, the families' labels sorted by
// name but for a histogram's le, last, as Prometheus' own client does.
// Families of one name (a gauge per outbox) are merged.
func writeFamilies(w io.Writer, fs []family) error {
	slices.SortStableFunc(fs, func(a, b family) int { return strings.Compare(a.name, b.name) })
	bw := bufio.NewWriter(w)
	for i, f := range fs {
		if len(f.samples) == 0 {
			continue
		}
		if i == 0 || fs[i-1].name != f.name || len(fs[i-1].samples) == 0 {
			bw.WriteString("# HELP " + f.name + " " + escapeHelp(f.help) + "\n")
			bw.WriteString("# TYPE " + f.name + " " + f.typ + "\n")
		}
		for _, s := range f.samples {
			bw.WriteString(f.name + s.suffix)
			if len(s.labels) > 0 {
				ls := slices.Clone(s.labels)
				slices.SortStableFunc(ls, func(a, b label) int {
					switch {
					case a.name == "le":
						return 1
					case b.name == "le":
						return -1
					}
					return strings.Compare(a.name, b.name)
				})
				bw.WriteByte('{')
				for j, l := range ls {
					if j > 0 {
						bw.WriteByte(',')
					}
					bw.WriteString(l.name + `="` + escapeLabel(l.value) + `"`)
				}
				bw.WriteByte('}')
			}
			bw.WriteString(" " + formatFloat(s.value) + "\n")
		}
	}
	return bw.Flush()
}

// formatFloat writes v as the format wants it.
func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// escapeHelp escapes a HELP text: backslashes and line feeds.
func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

// escapeLabel escapes a label value: backslashes, line feeds and quotes.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`).Replace(s)
}
