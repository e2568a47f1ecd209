// gotypes: Go functions whose parameters and results are strings, slices, errors and several
// results, for the language's Go tests (tests/e2e/test_lang_go26.py). Each function is called
// -n times with fixed arguments, so a test knows every value it must see. Lines the tests probe
// carry a `tk:NAME` comment; the tests find their numbers in this file at run time.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
)

type codeErr struct{ code int }

func (e *codeErr) Error() string { return fmt.Sprintf("code %d", e.code) }

var errNegative = errors.New("negative")

//go:noinline
func Greet(name string, times int) (string, int) { // tk:greet-func
	s := strings.Repeat(name, times) // tk:greet-body
	return s, len(s)
}

//go:noinline
func Sum(xs []int) (total int) {
	for _, x := range xs {
		total += x // tk:sum-loop
	}
	return total
}

//go:noinline
func Join(words []string, sep string) string {
	return strings.Join(words, sep)
}

//go:noinline
func Check(n int) error {
	if n < 0 {
		return errNegative
	}
	if n > 100 {
		return &codeErr{n}
	}
	return nil
}

//go:noinline
func Wrap(err error) error {
	return fmt.Errorf("wrap: %w", err)
}

//go:noinline
func Div(a, b int) (q, r int, err error) {
	if b == 0 {
		return 0, 0, errors.New("divide by zero")
	}
	return a / b, a % b, nil
}

//go:noinline
func Scale(f float64, k int) (float64, bool) {
	return f * float64(k), k > 1
}

// Narrow elements: slices of bytes, signed int32s and bools (nine registers: all three fit).
//
//go:noinline
func Narrow(b []byte, r []int32, ok []bool) int {
	return len(b) + len(r) + len(ok)
}

func main() {
	n := flag.Int("n", 1, "calls of each function")
	flag.Parse()
	xs := make([]int, 20)
	for i := range xs {
		xs[i] = i + 1
	}
	words := []string{"go", "stays", "ahead"}
	total := 0
	for i := 0; i < *n; i++ {
		s, l := Greet("ab", 3)
		total += l + len(s)
		total += Sum(xs[:4]) + Sum(xs)
		total += len(Join(words, "-"))
		for _, v := range []int{5, -1, 250} {
			if err := Check(v); err != nil {
				total += len(err.Error())
			}
		}
		total += len(Wrap(errNegative).Error())
		q, r, err := Div(17, 5)
		total += q + r
		if _, _, err = Div(1, 0); err != nil {
			total++
		}
		total += Narrow([]byte("hi!"), []int32{-70000, 1, 2}, []bool{true, false})
		f, ok := Scale(1.5, 4)
		if ok {
			total += int(f)
		}
	}
	fmt.Printf("calls=%d total=%d\n", *n, total)
	os.Exit(0)
}
