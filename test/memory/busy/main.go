// busy writes an execution trace of a busy program (channel ping-pong, allocation churn) until it
// has written -bytes bytes, so the memory test has a trace far larger than one generation.
package main

import (
	"bufio"
	"flag"
	"io"
	"os"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

type limitWriter struct {
	w       io.Writer
	written atomic.Int64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	n, err := l.w.Write(p)
	l.written.Add(int64(n))
	return n, err
}

var sink atomic.Pointer[[]byte]

func main() {
	limit := flag.Int64("bytes", 64<<20, "stop tracing after this many bytes")
	path := flag.String("o", "", "output file (default standard output)")
	flag.Parse()
	file := os.Stdout
	if *path != "" {
		f, err := os.Create(*path)
		if err != nil {
			panic(err)
		}
		defer f.Close()
		file = f
	}
	out := bufio.NewWriterSize(file, 1<<20)
	lw := &limitWriter{w: out}
	if err := trace.Start(lw); err != nil {
		panic(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	// Ping-pong pairs: a steady stream of block/unblock/start events on every P.
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, b := make(chan int), make(chan int)
			go func() {
				for v := range a {
					b <- v + 1
				}
				close(b)
			}()
			for !stop.Load() {
				// Paced bursts: an unpaced ping-pong produces events faster than the runtime
				// flushes them on a small machine, and generations then grow without bound.
				for k := 0; k < 200; k++ {
					a <- 1
					<-b
				}
				time.Sleep(200 * time.Microsecond)
			}
			close(a)
		}()
	}
	// Allocation churn keeps the GC cycling (mark assists, sweeps, heap metrics).
	wg.Add(1)
	go func() {
		defer wg.Done()
		for !stop.Load() {
			buf := make([]byte, 64<<10)
			sink.Store(&buf)
			// Paced: unpaced churn keeps the GC busy enough to delay generation advances.
			time.Sleep(50 * time.Microsecond)
		}
	}()
	for lw.written.Load() < *limit {
		time.Sleep(5 * time.Millisecond)
	}
	// Stop tracing while the workload still runs, so the last generation is as ordinary as the rest.
	trace.Stop()
	stop.Store(true)
	wg.Wait()
	out.Flush()
}
