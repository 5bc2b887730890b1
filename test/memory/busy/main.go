// busy streams an execution trace of a busy program to stdout until it has written -bytes bytes,
// so the memory test can read a trace far larger than one generation without it ever touching disk.
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
	flag.Parse()
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	lw := &limitWriter{w: out}
	if err := trace.Start(lw); err != nil {
		panic(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	// Ping-pong pairs: a steady stream of block/unblock/start events on every P.
	for i := 0; i < 8; i++ {
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
				a <- 1
				<-b
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
		}
	}()
	for lw.written.Load() < *limit {
		time.Sleep(5 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	trace.Stop()
	out.Flush()
}
