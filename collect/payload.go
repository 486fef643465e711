package collect

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// PushMagic is the first line of every push body.
const PushMagic = "covkit-push 1"

// Limits on what a push's envelope may hold; the data's own limit is the
// server's (Options.MaxBytes).
const (
	maxHeaderBytes = 64 << 10
	maxValueBytes  = 255 // host, instance, file
)

// Push is one data file (or only an acknowledgement) a measured process
// sends. The body is an envelope: PushMagic, "key=value" lines, an empty
// line, then the data file's bytes (none for an acknowledgement).
//
//	covkit-push 1
//	host=web-7f9c        the sender's host name (reported, never a path)
//	instance=5e0c...     random per process: tells restarted pods apart
//	pid=12               the sender's pid (digits)
//	file=.covkit....     the data file's name where the sender wrote it
//	seq=42               increases with every push of the process
//	flush=3              the flush generation this push answers (0: none)
//	final=1              the process is exiting: no more pushes from it
//	image={...}          the image's path mapping (covdocker's labels, JSON)
//
// Unknown keys are ignored (newer clients).
type Push struct {
	Host     string
	Instance string
	PID      int
	File     string
	Seq      uint64
	Flush    uint64
	Final    bool
	Image    []byte // JSON; nil when absent
	Data     []byte // nil for an acknowledgement
}

var errPush = errors.New("malformed push")

// ParsePush decodes a push body. Data aliases b.
func ParsePush(b []byte) (*Push, error) {
	head, data, ok := bytes.Cut(b, []byte("\n\n"))
	if !ok {
		if len(b) > maxHeaderBytes {
			return nil, fmt.Errorf("%w: header over %d bytes", errPush, maxHeaderBytes)
		}
		return nil, fmt.Errorf("%w: no end of header", errPush)
	}
	if len(head) > maxHeaderBytes {
		return nil, fmt.Errorf("%w: header over %d bytes", errPush, maxHeaderBytes)
	}
	lines := strings.Split(string(head), "\n")
	if lines[0] != PushMagic {
		return nil, fmt.Errorf("%w: not a covkit push", errPush)
	}
	p := &Push{}
	seen := map[string]bool{}
	for _, line := range lines[1:] {
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%w: header line without '='", errPush)
		}
		if seen[k] {
			return nil, fmt.Errorf("%w: %s given twice", errPush, k)
		}
		seen[k] = true
		if err := p.set(k, v); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", errPush, k, err)
		}
	}
	if p.Instance == "" {
		return nil, fmt.Errorf("%w: no instance", errPush)
	}
	if len(data) > 0 {
		if p.File == "" {
			return nil, fmt.Errorf("%w: data without a file name", errPush)
		}
		p.Data = data
	}
	return p, nil
}

func (p *Push) set(k, v string) error {
	var err error
	switch k {
	case "host":
		p.Host, err = text(v)
	case "instance":
		p.Instance, err = text(v)
	case "file":
		p.File, err = text(v)
	case "pid":
		var n uint64
		n, err = strconv.ParseUint(v, 10, 31)
		p.PID = int(n)
	case "seq":
		p.Seq, err = strconv.ParseUint(v, 10, 63)
	case "flush":
		p.Flush, err = strconv.ParseUint(v, 10, 63)
	case "final":
		switch v {
		case "0", "":
		case "1":
			p.Final = true
		default:
			err = errors.New("want 0 or 1")
		}
	case "image":
		p.Image = []byte(v)
	}
	return err
}

// text accepts a short printable value: it is only ever reported or
// hashed, never used as a path, but it must not forge lines in a summary.
func text(v string) (string, error) {
	if len(v) > maxValueBytes {
		return "", fmt.Errorf("over %d bytes", maxValueBytes)
	}
	for _, c := range []byte(v) {
		if c < 0x20 || c == 0x7f {
			return "", errors.New("control character")
		}
	}
	return v, nil
}

// Encode is the body that sends p (ParsePush's inverse, for Go clients and
// tests).
func (p *Push) Encode() []byte {
	var b bytes.Buffer
	b.WriteString(PushMagic + "\n")
	fmt.Fprintf(&b, "host=%s\ninstance=%s\npid=%d\n", p.Host, p.Instance, p.PID)
	if p.File != "" {
		fmt.Fprintf(&b, "file=%s\n", p.File)
	}
	fmt.Fprintf(&b, "seq=%d\nflush=%d\n", p.Seq, p.Flush)
	if p.Final {
		b.WriteString("final=1\n")
	}
	if p.Image != nil {
		fmt.Fprintf(&b, "image=%s\n", p.Image)
	}
	b.WriteString("\n")
	b.Write(p.Data)
	return b.Bytes()
}
