// rpcserver: a small RPC service shaped like the rpcx "102basic" example traced in the seed
// article, using only the standard library.
//
// Arith is registered by name and its methods are found and called through reflection, the
// way rpcx does it, so a stack taken inside main.(*Arith).Mul shows reflect.Value.Call,
// reflect.Value.call and runtime.call* frames, as in the article.
//
// Protocol: newline-delimited JSON over TCP, one goroutine per connection:
//
//	request:  {"method":"Arith.Mul","args":{"A":10,"B":20}}
//	response: {"reply":{"C":200},"error":""}
//
// Arith.Mul with a negative A sleeps -A milliseconds first: the slow path for funcslower.
// Prints "listening on ADDR" once it accepts connections and "served=N" (requests answered)
// when it exits on SIGINT or SIGTERM.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

var verbose = flag.Bool("v", false, `print "C= N" for every call, like the article's service`)

type Args struct{ A, B int }

type Reply struct{ C int }

type Arith struct{}

// Mul is the function the tests trace. It must stay a real call: keep it out of line.
//
//go:noinline
func (t *Arith) Mul(ctx context.Context, args Args, reply *Reply) error {
	if args.A < 0 {
		time.Sleep(time.Duration(-args.A) * time.Millisecond)
	}
	reply.C = args.A * args.B
	if *verbose {
		fmt.Println("C=", reply.C)
	}
	return nil
}

type request struct {
	Method string          `json:"method"`
	Args   json.RawMessage `json:"args"`
}

type response struct {
	Reply interface{} `json:"reply"`
	Error string      `json:"error"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8972", "listen address")
	flag.Parse()

	s := NewServer()
	if err := s.RegisterName("Arith", new(Arith)); err != nil {
		fmt.Fprintln(os.Stderr, "rpcserver:", err)
		os.Exit(1)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rpcserver:", err)
		os.Exit(1)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		s.Shutdown(ln)
	}()
	fmt.Printf("listening on %s\n", ln.Addr())
	s.Serve(ln)
	fmt.Printf("served=%d\n", atomic.LoadInt64(&s.served))
}

// Serve accepts connections until the listener is closed, then waits for open connections to
// finish their current request.
func (s *Server) Serve(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				break
			}
			fmt.Fprintln(os.Stderr, "rpcserver: accept:", err)
			continue
		}
		s.track(conn, true)
		s.wg.Add(1)
		go s.serveConn(conn)
	}
	s.closeAll()
	s.wg.Wait()
}

func (s *Server) serveConn(conn net.Conn) {
	defer s.wg.Done()
	defer s.track(conn, false)
	defer conn.Close()
	in := bufio.NewScanner(conn)
	in.Buffer(make([]byte, 4096), 1<<20)
	out := bufio.NewWriter(conn)
	enc := json.NewEncoder(out)
	for in.Scan() {
		var req request
		var resp response
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			resp.Error = "bad request: " + err.Error()
		} else {
			resp.Reply, err = s.call(context.Background(), req.Method, req.Args)
			if err != nil {
				resp.Error = err.Error()
			}
		}
		if err := enc.Encode(&resp); err != nil {
			return
		}
		if err := out.Flush(); err != nil {
			return
		}
		atomic.AddInt64(&s.served, 1)
	}
}

// Shutdown stops accepting; Serve then closes the open connections.
func (s *Server) Shutdown(ln net.Listener) {
	ln.Close()
}

func (s *Server) track(c net.Conn, add bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		s.conns[c] = struct{}{}
	} else {
		delete(s.conns, c)
	}
}

func (s *Server) closeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}
