package rpcerr

import (
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
)

// detailLines lists the field violations of a BadRequest and the
// violations of a PreconditionFailure, one line each, indented under the
// headline.
func detailLines(st *status.Status) []string {
	var lines []string
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				lines = append(lines, "  "+v.GetField()+": "+v.GetDescription())
			}
		case *errdetails.PreconditionFailure:
			for _, v := range d.GetViolations() {
				lines = append(lines, "  "+preconditionSubject(v)+": "+v.GetDescription())
			}
		}
	}
	return lines
}

func preconditionSubject(v *errdetails.PreconditionFailure_Violation) string {
	if v.GetSubject() != "" {
		return v.GetSubject()
	}
	return v.GetType()
}

func hasViolations(st *status.Status) bool { return len(detailLines(st)) > 0 }
