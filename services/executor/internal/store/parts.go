package store

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	rebalancerv1 "github.com/vpsie/node-rebalancer/libs/gen/rebalancer/v1"
)

// A record is stored in parts, so that a write carries only what changed:
// a head under the execution's key (the state without its nodes, the
// book without its nodes' books, the lease, the control, the outbox) and
// one part per old node under NodePartKey (that node's state and book).
// A step changes one node, so its write is the head and that node's part;
// the head and the changed parts are written in one atomic batch, the head
// last and over the revision it was read at (kv.go): a writer whose lease
// was claimed still fails its whole write, as it did when the record was
// one value.

// nodeParts says how a head's nodes were split off.
type nodeParts struct {
	// Nodes is the number of entries of the state's nodes; Count the
	// number of parts (nodes with only a book count too).
	Nodes int `json:"nodes"`
	Count int `json:"count"`
	// Completed and Provisioned are set when the state's completed and
	// provisioned lists were in node order, as the Executor derives them,
	// and are carried by the parts' flags instead of the head.
	Completed   bool `json:"completed,omitempty"`
	Provisioned bool `json:"provisioned,omitempty"`
}

// nodePart is the stored value of one old node's part.
type nodePart struct {
	// Index is the node's position in the state's nodes; -1 for a node
	// with a book and no state.
	Index int    `json:"i"`
	Node  []byte `json:"node,omitempty"`
	// Booked says the book has an entry for the node (Book, maybe nil).
	Booked bool      `json:"booked,omitempty"`
	Book   *NodeBook `json:"book,omitempty"`
	// Completed and Provisioned place the node in the state's completed
	// and provisioned lists (see nodeParts).
	Completed   bool `json:"completed,omitempty"`
	Provisioned bool `json:"provisioned,omitempty"`
}

// partKeyToken is what a key's token may hold in a JetStream bucket.
var partKeyToken = regexp.MustCompile(`^[-/_=a-zA-Z0-9]+(\.[-/_=a-zA-Z0-9]+)*$`)

// maxParts keeps a whole record's batch under JetStream's largest atomic
// batch (1,000 messages by default), the head and the plan beside it.
const maxParts = 900

// nodePartInfix separates the execution's ID from the node's name in a
// part's key.
const nodePartInfix = ".n."

// NodePartKey is the key of old node's part of execution id.
func NodePartKey(id, node string) string { return id + nodePartInfix + node }

// splitPartKey returns the execution and node a part's key names.
func splitPartKey(key string) (id, node string, ok bool) {
	id, node, ok = strings.Cut(key, nodePartInfix)
	return id, node, ok && id != "" && node != ""
}

// split is r stored in parts: its head and its parts by node name. ok is
// false when r cannot be split (a name no key may hold, a node twice, too
// many nodes): r is then stored whole, as encode writes it.
func split(r *Record) (head []byte, parts map[string][]byte, ok bool, err error) {
	if !splittable(r) {
		return nil, nil, false, nil
	}
	parts = make(map[string][]byte, len(r.Book.Nodes))
	layout, flags := listsByNode(r.State)
	for i, n := range r.State.GetNodes() {
		node, err := proto.Marshal(n)
		if err != nil {
			return nil, nil, false, fmt.Errorf("encode node %s: %w", n.GetOldNode(), err)
		}
		book, booked := r.Book.Nodes[n.GetOldNode()]
		p := nodePart{Index: i, Node: node, Booked: booked, Book: book}
		p.Completed, p.Provisioned = flags[i].completed, flags[i].provisioned
		if parts[n.GetOldNode()], err = json.Marshal(p); err != nil {
			return nil, nil, false, err
		}
	}
	for name, book := range r.Book.Nodes {
		if _, done := parts[name]; !done {
			if parts[name], err = json.Marshal(nodePart{Index: -1, Booked: true, Book: book}); err != nil {
				return nil, nil, false, err
			}
		}
	}
	layout.Count = len(parts)
	head, err = headOf(r, layout)
	return head, parts, err == nil, err
}

// splittable: every node named once, each name a key's token, and few
// enough of them for one batch.
func splittable(r *Record) bool {
	if !partKeyToken.MatchString(r.State.GetExecutionId()) || len(r.Book.Nodes)+len(r.State.GetNodes()) > maxParts {
		return false
	}
	seen := make(map[string]bool, len(r.State.GetNodes()))
	for _, n := range r.State.GetNodes() {
		if seen[n.GetOldNode()] || !partKeyToken.MatchString(n.GetOldNode()) {
			return false
		}
		seen[n.GetOldNode()] = true
	}
	for name := range r.Book.Nodes {
		if !partKeyToken.MatchString(name) {
			return false
		}
	}
	return true
}

type listFlags struct{ completed, provisioned bool }

// listsByNode finds each node's place in the completed and provisioned
// lists when they follow node order (the Executor derives them so),
// and says which of them the parts can carry.
func listsByNode(s *rebalancerv1.ExecutionState) (nodeParts, []listFlags) {
	nodes := s.GetNodes()
	flags := make([]listFlags, len(nodes))
	completed, provisioned := 0, 0
	for i, n := range nodes {
		if completed < len(s.GetCompletedNodes()) && s.GetCompletedNodes()[completed] == n.GetOldNode() {
			flags[i].completed = true
			completed++
		}
		if provisioned < len(s.GetProvisionedNodes()) && s.GetProvisionedNodes()[provisioned] == n.GetNewHostname() {
			flags[i].provisioned = true
			provisioned++
		}
	}
	layout := nodeParts{Nodes: len(nodes), Completed: completed == len(s.GetCompletedNodes()),
		Provisioned: provisioned == len(s.GetProvisionedNodes())}
	return layout, flags
}

// headOf is r's head: r encoded without what its parts carry.
func headOf(r *Record, layout nodeParts) ([]byte, error) {
	state := proto.CloneOf(r.State)
	state.Nodes = nil
	if layout.Completed {
		state.CompletedNodes = nil
	}
	if layout.Provisioned {
		state.ProvisionedNodes = nil
	}
	head := &Record{State: state, Book: r.Book, AcceptedAt: r.AcceptedAt, RequestedBy: r.RequestedBy,
		Lease: r.Lease, Control: r.Control, Outbox: r.Outbox}
	head.Book.Nodes = nil
	return head.encodeWith(&layout)
}

// errPartsMissing: a head names more parts than were read. Parts and head
// are written in one batch, so only a part deleted by hand does this.
var errPartsMissing = fmt.Errorf("record parts missing")

// join puts a record read as head (decoded, with its layout) and parts
// (by node name) back together.
func join(r *Record, layout *nodeParts, parts map[string][]byte) error {
	if len(parts) != layout.Count {
		return fmt.Errorf("%s: %w: %d of %d", r.State.GetExecutionId(), errPartsMissing, len(parts), layout.Count)
	}
	nodes := make([]*rebalancerv1.NodeExecution, layout.Nodes)
	flags := make([]listFlags, layout.Nodes)
	for name, data := range parts {
		var p nodePart
		if err := json.Unmarshal(data, &p); err != nil {
			return fmt.Errorf("decode part %s: %w", name, err)
		}
		if p.Booked {
			if r.Book.Nodes == nil {
				r.Book.Nodes = map[string]*NodeBook{}
			}
			r.Book.Nodes[name] = p.Book
		}
		if p.Index < 0 {
			continue
		}
		if p.Index >= layout.Nodes || nodes[p.Index] != nil {
			return fmt.Errorf("%s: part %s at %d of %d nodes, or twice", r.State.GetExecutionId(), name, p.Index, layout.Nodes)
		}
		nodes[p.Index] = &rebalancerv1.NodeExecution{}
		if err := proto.Unmarshal(p.Node, nodes[p.Index]); err != nil {
			return fmt.Errorf("decode part %s: %w", name, err)
		}
		flags[p.Index] = listFlags{completed: p.Completed, provisioned: p.Provisioned}
	}
	if slices.Contains(nodes, nil) {
		return fmt.Errorf("%s: %w: a node's position is empty", r.State.GetExecutionId(), errPartsMissing)
	}
	r.State.Nodes = nodes
	restoreLists(r.State, layout, flags)
	return nil
}

// restoreLists rebuilds the lists the parts carried.
func restoreLists(s *rebalancerv1.ExecutionState, layout *nodeParts, flags []listFlags) {
	for i, n := range s.GetNodes() {
		if layout.Completed && flags[i].completed {
			s.CompletedNodes = append(s.CompletedNodes, n.GetOldNode())
		}
		if layout.Provisioned && flags[i].provisioned {
			s.ProvisionedNodes = append(s.ProvisionedNodes, n.GetNewHostname())
		}
	}
}
