// Command oracle is schedscope's reference reader: it parses a Go execution trace with
// golang.org/x/exp/trace (the exported copy of the Go toolchain's own reader) so that tests can
// compare schedscope's output with Go's, event by event.
//
//	oracle dump <file>   prints every event's String() on its own line, exactly like
//	                     `go tool trace -d=parsed`; a reader error goes to stderr as
//	                     "ERROR: <message>" with exit status 1 (events before it are kept).
//	oracle count <file>  reads every event without printing and reports throughput as JSON.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"golang.org/x/exp/trace"
)

func main() {
	if len(os.Args) != 3 {
		usage()
	}
	switch os.Args[1] {
	case "dump":
		os.Exit(dump(os.Args[2]))
	case "count":
		os.Exit(count(os.Args[2]))
	default:
		usage()
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: oracle dump|count <trace file>")
	os.Exit(2)
}

// readEvents feeds every event to visit and returns the reader error that ended the stream,
// or nil at a clean end of file.
func readEvents(path string, visit func(*trace.Event)) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	reader, err := trace.NewReader(bufio.NewReaderSize(file, 1<<20))
	if err != nil {
		return err
	}
	for {
		event, err := reader.ReadEvent()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		visit(&event)
	}
}

func dump(path string) int {
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	readErr := readEvents(path, func(event *trace.Event) {
		out.WriteString(event.String())
		out.WriteByte('\n')
	})
	if err := out.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "oracle: writing stdout: %v\n", err)
		return 2
	}
	if readErr != nil {
		fmt.Fprintf(os.Stderr, "ERROR: %v\n", readErr)
		return 1
	}
	return 0
}

type countReport struct {
	Events       int64   `json:"events"`
	Bytes        int64   `json:"bytes"`
	Seconds      float64 `json:"seconds"`
	MBPerSec     float64 `json:"mbPerSec"`
	EventsPerSec float64 `json:"eventsPerSec"`
	MaxRSSKB     int64   `json:"maxRssKB"`
}

func count(path string) int {
	info, err := os.Stat(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ERROR: %v\n", err)
		return 1
	}
	var events int64
	start := time.Now()
	readErr := readEvents(path, func(*trace.Event) { events++ })
	seconds := time.Since(start).Seconds()
	if readErr != nil {
		fmt.Fprintf(os.Stderr, "ERROR: %v\n", readErr)
		return 1
	}
	report := countReport{Events: events, Bytes: info.Size(), Seconds: seconds, MaxRSSKB: maxRSSKB()}
	if seconds > 0 {
		report.MBPerSec = float64(info.Size()) / 1e6 / seconds
		report.EventsPerSec = float64(events) / seconds
	}
	encoded, _ := json.Marshal(report)
	fmt.Println(string(encoded))
	return 0
}

// maxRSSKB is the peak resident set of this process; Linux reports ru_maxrss in kilobytes.
func maxRSSKB() int64 {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return -1
	}
	return int64(usage.Maxrss)
}
