package lifecycle

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	"github.com/covkit/covkit/collect"
)

// DefaultCollectWait bounds how long covrun waits, once the command has
// ended, for live remote clients to answer the flush.
const DefaultCollectWait = 10 * time.Second

// startCollector serves the run's collector (--collect) and returns the
// command's environment with its address and token.
func (l *lifecycle) startCollector(env []string) ([]string, error) {
	o := &l.o
	if o.Collect == "" {
		return env, nil
	}
	var tlsConf *tls.Config
	if o.CollectTLS != "" {
		cert, key, ok := strings.Cut(o.CollectTLS, ",")
		if !ok {
			return env, fmt.Errorf("--collect-tls: want CERT,KEY")
		}
		c, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return env, fmt.Errorf("--collect-tls: %w", err)
		}
		tlsConf = &tls.Config{Certificates: []tls.Certificate{c}, MinVersion: tls.VersionTLS12}
	}
	s, err := collect.Start(collect.Options{Addr: o.Collect, DataDir: l.run.DataDir, TLS: tlsConf})
	if err != nil {
		return env, err
	}
	l.collector = s
	if o.Verbose {
		fmt.Fprintf(o.Stderr, "covrun: collecting pushed coverage on %s\n", s.Addr())
	}
	return append(env, s.Environ()...), nil
}

// finishCollector asks the live clients to push, waits for them (bounded),
// stops serving and says what arrived and what was refused.
func (l *lifecycle) finishCollector() {
	s := l.collector
	if s == nil {
		return
	}
	wait := l.o.CollectWait
	if wait <= 0 {
		wait = DefaultCollectWait
	}
	res := s.Flush(context.Background(), wait)
	s.Close()
	st := s.Stats()
	fmt.Fprintf(l.o.Stderr, "covrun: collector: %d data files (%d pushes) from %d processes on %d hosts", st.Files, st.Pushes, st.Processes, len(st.Hosts))
	if res.Asked > 0 {
		fmt.Fprintf(l.o.Stderr, "; %d of %d live processes answered the final flush", res.Answered, res.Asked)
	}
	fmt.Fprintln(l.o.Stderr)
	if len(res.Gone) > 0 {
		l.warnf("collector: %s went away without a final push (killed?): their data is as of their last push", strings.Join(res.Gone, ", "))
	}
	if len(res.Silent) > 0 {
		l.warnf("collector: no answer to the final flush within %v from %s: their data is as of their last push", wait, strings.Join(res.Silent, ", "))
	}
	if st.Refused > 0 {
		l.warnf("collector: refused %d requests without the run's token (from %s)", st.Refused, strings.Join(st.RefusedBy, ", "))
	}
	if st.Rejected > 0 {
		l.warnf("collector: rejected %d malformed, unusable or oversized pushes", st.Rejected)
	}
}
