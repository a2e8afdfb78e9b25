// Package output prints the API's messages as tables for people, or as JSON
// or YAML for scripts. JSON is protojson with the proto field names, so what
// `analyze -o json` prints is what `plan -f` reads back; YAML is the same
// document converted, so the two never disagree.
package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"sigs.k8s.io/yaml"
)

// Format is the value of -o/--output.
type Format string

// The formats -o accepts.
const (
	Table Format = "table"
	JSON  Format = "json"
	YAML  Format = "yaml"
)

// Formats lists the accepted values, for help texts and errors.
var Formats = []Format{Table, JSON, YAML}

// ParseFormat checks a value of -o.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown output format %q: want table, json or yaml", s)
}

// Print writes m in format f; table renders the table form.
func Print(w io.Writer, f Format, m proto.Message, table func(io.Writer) error) error {
	switch f {
	case JSON:
		b, err := IndentedJSON(m)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	case YAML:
		b, err := YAMLOf(m)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	default:
		return table(w)
	}
}

// CompactJSON is m as one line of protojson with proto field names, for
// a stream of events read line by line (NDJSON).
func CompactJSON(m proto.Message) ([]byte, error) {
	raw, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", m.ProtoReflect().Descriptor().Name(), err)
	}
	// protojson varies its whitespace on purpose; compacting makes the
	// output byte-stable for diffs and golden files.
	var out bytes.Buffer
	if err := json.Compact(&out, raw); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// IndentedJSON is m as indented protojson with proto field names.
func IndentedJSON(m proto.Message) ([]byte, error) {
	compact, err := CompactJSON(m)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, bytes.TrimSpace(compact), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// YAMLOf is the YAML form of m's JSON.
func YAMLOf(m proto.Message) ([]byte, error) {
	j, err := CompactJSON(m)
	if err != nil {
		return nil, err
	}
	return yaml.JSONToYAML(j)
}
