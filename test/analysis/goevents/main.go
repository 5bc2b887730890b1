// goevents: prints a trace's events, as golang.org/x/exp/trace reads them, as JSON lines in the
// shape of schedscope's analysis EventView. The analysis tests use it to run the analyzers on Go's
// own reading of a trace, independently of schedscope's decoder.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/exp/trace"
)

type frame struct {
	PC   uint64 `json:"pc"`
	Func string `json:"func"`
	File string `json:"file"`
	Line uint64 `json:"line"`
}

type event struct {
	K   int    `json:"k"`
	T   int64  `json:"t"`
	G   int64  `json:"g"`
	P   int64  `json:"p"`
	M   int64  `json:"m"`
	S   int    `json:"s,omitempty"`
	RK  int    `json:"rk,omitempty"`
	RID int64  `json:"rid,omitempty"`
	F   int    `json:"f,omitempty"`
	To  int    `json:"to,omitempty"`
	R   string `json:"r,omitempty"`
	TS  int    `json:"ts,omitempty"`
	N   string `json:"n,omitempty"`
	V   uint64 `json:"v,omitempty"`
	TID int64  `json:"tid,omitempty"`
	TP  int64  `json:"tp,omitempty"`
	Msg string `json:"msg,omitempty"`
	SN  int    `json:"sn,omitempty"`
}

func main() {
	in, err := os.Open(os.Args[1])
	if err != nil {
		panic(err)
	}
	r, err := trace.NewReader(bufio.NewReader(in))
	if err != nil {
		panic(err)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	stackIDs := map[string]int{}
	stackID := func(s trace.Stack) int {
		if s == trace.NoStack {
			return 0
		}
		var frames []frame
		var key strings.Builder
		for f := range s.Frames() {
			frames = append(frames, frame{f.PC, f.Func, f.File, f.Line})
			fmt.Fprintf(&key, "%x,", f.PC)
		}
		if len(frames) == 0 {
			return 0
		}
		id, ok := stackIDs[key.String()]
		if !ok {
			id = len(stackIDs) + 1
			stackIDs[key.String()] = id
			enc.Encode(map[string]any{"stack": id, "frames": frames})
		}
		return id
	}
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			panic(err)
		}
		e := event{K: int(ev.Kind()), T: int64(ev.Time()), G: int64(ev.Goroutine()), P: int64(ev.Proc()), M: int64(ev.Thread())}
		if ev.Kind() != trace.EventSync {
			e.S = stackID(ev.Stack())
		}
		switch ev.Kind() {
		case trace.EventSync:
			e.SN = ev.Sync().N
		case trace.EventStateTransition:
			st := ev.StateTransition()
			e.RK = int(st.Resource.Kind)
			switch st.Resource.Kind {
			case trace.ResourceGoroutine:
				e.RID = int64(st.Resource.Goroutine())
				from, to := st.Goroutine()
				e.F, e.To = int(from), int(to)
			case trace.ResourceProc:
				e.RID = int64(st.Resource.Proc())
				from, to := st.Proc()
				e.F, e.To = int(from), int(to)
			}
			e.R = st.Reason
			e.TS = stackID(st.Stack)
		case trace.EventRangeBegin, trace.EventRangeActive, trace.EventRangeEnd:
			rg := ev.Range()
			e.N = rg.Name
			e.RK = int(rg.Scope.Kind)
			switch rg.Scope.Kind {
			case trace.ResourceGoroutine:
				e.RID = int64(rg.Scope.Goroutine())
			case trace.ResourceProc:
				e.RID = int64(rg.Scope.Proc())
			}
		case trace.EventMetric:
			m := ev.Metric()
			e.N = m.Name
			e.V = m.Value.Uint64()
		case trace.EventLabel:
			e.N = ev.Label().Label
		case trace.EventTaskBegin, trace.EventTaskEnd:
			t := ev.Task()
			e.TID, e.TP, e.N = int64(t.ID), int64(t.Parent), t.Type
		case trace.EventRegionBegin, trace.EventRegionEnd:
			rg := ev.Region()
			e.TID, e.N = int64(rg.Task), rg.Type
		case trace.EventLog:
			l := ev.Log()
			e.TID, e.N, e.Msg = int64(l.Task), l.Category, l.Message
		}
		enc.Encode(e)
	}
}
