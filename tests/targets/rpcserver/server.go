package main

// A minimal reflection-based RPC registry, modelled on rpcx's server/service.go: a receiver
// is registered under a name, every exported method of the shape
//
//	func (t *T) Name(ctx context.Context, args A, reply *R) error
//
// becomes "Service.Name", and a request is dispatched with reflect.Value.Call.

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"reflect"
	"strings"
	"sync"
)

var (
	typeOfContext = reflect.TypeOf((*context.Context)(nil)).Elem()
	typeOfError   = reflect.TypeOf((*error)(nil)).Elem()
)

type method struct {
	fn        reflect.Value // the method as a function taking the receiver first
	argType   reflect.Type
	replyType reflect.Type // the pointed-to type of the reply argument
}

type service struct {
	rcvr    reflect.Value
	methods map[string]*method
}

// Server holds the registered services and the open connections.
type Server struct {
	services map[string]*service
	served   int64 // requests answered, updated atomically

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

func NewServer() *Server {
	return &Server{services: map[string]*service{}, conns: map[net.Conn]struct{}{}}
}

// RegisterName publishes the methods of rcvr that have the RPC shape under name.
func (s *Server) RegisterName(name string, rcvr interface{}) error {
	svc := &service{rcvr: reflect.ValueOf(rcvr), methods: map[string]*method{}}
	typ := reflect.TypeOf(rcvr)
	for i := 0; i < typ.NumMethod(); i++ {
		m := typ.Method(i)
		mt := m.Type
		// receiver, ctx, args, *reply -> error
		if mt.NumIn() != 4 || mt.NumOut() != 1 || mt.In(1) != typeOfContext ||
			mt.In(3).Kind() != reflect.Ptr || mt.Out(0) != typeOfError {
			continue
		}
		svc.methods[m.Name] = &method{fn: m.Func, argType: mt.In(2), replyType: mt.In(3).Elem()}
	}
	if len(svc.methods) == 0 {
		return fmt.Errorf("%s has no method of the form (ctx, args, *reply) error", name)
	}
	s.services[name] = svc
	return nil
}

// call decodes the arguments of "Service.Method", calls it through reflection and returns the
// reply value.
func (s *Server) call(ctx context.Context, name string, rawArgs json.RawMessage) (interface{}, error) {
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 {
		return nil, fmt.Errorf("bad method name %q", name)
	}
	svc := s.services[name[:dot]]
	if svc == nil {
		return nil, fmt.Errorf("no service %q", name[:dot])
	}
	m := svc.methods[name[dot+1:]]
	if m == nil {
		return nil, fmt.Errorf("no method %q", name)
	}
	argv := reflect.New(m.argType)
	if len(rawArgs) > 0 {
		if err := json.Unmarshal(rawArgs, argv.Interface()); err != nil {
			return nil, fmt.Errorf("bad args: %v", err)
		}
	}
	replyv := reflect.New(m.replyType)
	out := m.fn.Call([]reflect.Value{svc.rcvr, reflect.ValueOf(ctx), argv.Elem(), replyv})
	if err, _ := out[0].Interface().(error); err != nil {
		return nil, err
	}
	return replyv.Interface(), nil
}
