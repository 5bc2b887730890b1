// Reads lines of space-separated int64 times from stdin and, for each line, prints the original
// indexes in the order Go's slices.SortFunc (comparing times with cmp.Compare) leaves them, which is
// how Go's trace reader sorts its frontier and CPU samples. Equal times expose the unstable order.
package main

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

type record struct {
	time  int64
	index int
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		fields := strings.Fields(in.Text())
		records := make([]record, len(fields))
		for i, f := range fields {
			t, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			records[i] = record{t, i}
		}
		slices.SortFunc(records, func(a, b record) int { return cmp.Compare(a.time, b.time) })
		for i, r := range records {
			if i > 0 {
				out.WriteByte(' ')
			}
			out.WriteString(strconv.Itoa(r.index))
		}
		out.WriteByte('\n')
	}
}
