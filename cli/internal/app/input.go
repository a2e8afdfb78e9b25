package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"sigs.k8s.io/yaml"
)

// readInput reads the file named by path, or standard input for "-".
func (a *app) readInput(path string) ([]byte, error) {
	if path == "-" {
		data, err := io.ReadAll(a.env.Stdin)
		if err != nil {
			return nil, fmt.Errorf("read standard input: %w", err)
		}
		return data, nil
	}
	data, err := os.ReadFile(path) //nolint:gosec // reading the file the operator named is the point
	if err != nil {
		return nil, err
	}
	return data, nil
}

// decodeMessage reads msg from protojson (or YAML of it, as -o yaml
// prints). A document wrapped in the RPC response that carries msg, such as
// grpcurl prints ({"analysis": {...}}), is unwrapped through wrapperField.
func decodeMessage(data []byte, msg proto.Message, wrapperField, source string) error {
	data, err := asJSON(data)
	if err != nil {
		return fmt.Errorf("%s: %w", source, err)
	}
	data = unwrap(data, wrapperField)
	if err := protojson.Unmarshal(data, msg); err != nil {
		return fmt.Errorf("%s: not a %s: %w", source, msg.ProtoReflect().Descriptor().Name(), err)
	}
	return nil
}

// asJSON accepts JSON as is and converts anything else from YAML.
func asJSON(data []byte) ([]byte, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("empty input")
	}
	if trimmed[0] == '{' {
		return trimmed, nil
	}
	j, err := yaml.YAMLToJSON(trimmed)
	if err != nil {
		return nil, fmt.Errorf("neither JSON nor YAML: %w", err)
	}
	return j, nil
}

// unwrap returns the value of field when it is the document's only key.
func unwrap(data []byte, field string) []byte {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil || len(top) != 1 {
		return data
	}
	if inner, ok := top[field]; ok {
		return inner
	}
	return data
}

// sourceName names an input in messages.
func sourceName(path string) string {
	if path == "-" {
		return "standard input"
	}
	return path
}
