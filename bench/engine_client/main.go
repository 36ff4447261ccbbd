// Command engine_client sends the bench's gRPC calls as the Pulumi engine does: from Go, with
// grpc-go, one call at a time. bench/policy_bench.py builds the requests in Python and times them
// here, so neither side of its ratio is charged for Python's gRPC client, which the engine does
// not use.
//
//	engine_client replay ADDRESS CALLS ANSWERS
//	    sends every call in the file CALLS to ADDRESS in turn and writes each answer to ANSWERS;
//	    prints the nanoseconds each call took, one line per call.
//	engine_client proxy ADDRESS
//	    serves every call it gets by making it to ADDRESS, as the Python language host's
//	    PolicyProxy stands between the engine and a Python policy pack (pulumi/pulumi:
//	    sdk/policy_proxy.go, started by sdk/python/cmd/pulumi-language-python/main.go `RunPlugin`);
//	    prints its port.
//
// CALLS holds records of a 4-byte big-endian length and a method ("/pulumirpc.Analyzer/Analyze"),
// then a length and the serialized request. ANSWERS holds, per call, a byte with the gRPC status
// code, then a length and the serialized answer (empty unless the code is OK).
//
// How this follows the engine, and where it does not:
//   - Dial options: the engine's (sdk/go/common/resource/plugin/analyzer_plugin.go
//     `analyzerPluginDialOptions`): insecure transport and a 400 MiB receive limit
//     (sdk/go/common/util/rpcutil/serve.go `GrpcChannelOptions`). Its OpenTracing interceptors are
//     left out: with no tracer configured they record nothing.
//   - Messages travel as bytes: the engine marshals its own Go structs into protobuf before each
//     call and unmarshals the answer; here that is done once, in Python, before the clock starts.
//   - The proxy forwards bytes, where PolicyProxy unmarshals and marshals each message in Go.
//     Both leave out a little of the engine's Go work per call, on both sides of the ratio.
//   - grpc-go is Debian bookworm's (1.33), older than the engine's.
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

const maxMessage = 400 * 1024 * 1024

// raw is a codec that passes serialized messages through unchanged.
type raw struct{}

func (raw) Marshal(v interface{}) ([]byte, error) { return *(v.(*[]byte)), nil }
func (raw) Unmarshal(data []byte, v interface{}) error {
	*(v.(*[]byte)) = append([]byte(nil), data...)
	return nil
}
func (raw) Name() string   { return "proto" }
func (raw) String() string { return "proto" }

func dial(address string) *grpc.ClientConn {
	conn, err := grpc.Dial(address, grpc.WithInsecure(), grpc.WithDefaultCallOptions(
		grpc.MaxCallRecvMsgSize(maxMessage), grpc.ForceCodec(raw{})))
	if err != nil {
		fail(err)
	}
	return conn
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "engine_client:", err)
	os.Exit(2)
}

func read(in io.Reader) ([]byte, bool) {
	var size uint32
	if err := binary.Read(in, binary.BigEndian, &size); err == io.EOF {
		return nil, false
	} else if err != nil {
		fail(err)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(in, data); err != nil {
		fail(err)
	}
	return data, true
}

func write(out io.Writer, data []byte) {
	if err := binary.Write(out, binary.BigEndian, uint32(len(data))); err != nil {
		fail(err)
	}
	if _, err := out.Write(data); err != nil {
		fail(err)
	}
}

func replay(address, callsPath, answersPath string) {
	file, err := os.Open(callsPath)
	if err != nil {
		fail(err)
	}
	in := bufio.NewReader(file)
	type call struct {
		method  string
		request []byte
	}
	var calls []call
	for {
		method, ok := read(in)
		if !ok {
			break
		}
		request, _ := read(in)
		calls = append(calls, call{string(method), request})
	}
	conn := dial(address)
	defer conn.Close()
	ctx := context.Background()
	answers := make([][]byte, len(calls))
	codes := make([]byte, len(calls))
	took := make([]time.Duration, len(calls))
	for i, c := range calls {
		started := time.Now()
		var answer []byte
		err := conn.Invoke(ctx, c.method, &c.request, &answer)
		took[i] = time.Since(started)
		codes[i], answers[i] = byte(status.Code(err)), answer
	}
	file, err = os.Create(answersPath)
	if err != nil {
		fail(err)
	}
	out := bufio.NewWriter(file)
	for i := range calls {
		out.WriteByte(codes[i])
		write(out, answers[i])
	}
	if err := out.Flush(); err != nil {
		fail(err)
	}
	lines := bufio.NewWriter(os.Stdout)
	for _, d := range took {
		fmt.Fprintln(lines, d.Nanoseconds())
	}
	lines.Flush()
}

func proxy(address string) {
	conn := dial(address)
	forward := func(_ interface{}, stream grpc.ServerStream) error {
		method, _ := grpc.MethodFromServerStream(stream)
		var request, answer []byte
		if err := stream.RecvMsg(&request); err != nil {
			return err
		}
		if err := conn.Invoke(stream.Context(), method, &request, &answer); err != nil {
			return status.Convert(err).Err()
		}
		return stream.SendMsg(&answer)
	}
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	server := grpc.NewServer(grpc.CustomCodec(raw{}), grpc.MaxRecvMsgSize(maxMessage),
		grpc.UnknownServiceHandler(forward))
	fmt.Println(listener.Addr().(*net.TCPAddr).Port)
	if err := server.Serve(listener); err != nil {
		fail(err)
	}
}

func main() {
	switch {
	case len(os.Args) == 5 && os.Args[1] == "replay":
		replay(os.Args[2], os.Args[3], os.Args[4])
	case len(os.Args) == 3 && os.Args[1] == "proxy":
		proxy(os.Args[2])
	default:
		fmt.Fprintln(os.Stderr, "usage: engine_client replay ADDRESS CALLS ANSWERS | proxy ADDRESS")
		os.Exit(2)
	}
}
