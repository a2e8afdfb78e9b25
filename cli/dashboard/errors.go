package dashboard

import (
	"net/http"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// apiError is the JSON body of a failed API call.
type apiError struct {
	Error string `json:"error"`
}

// httpStatusOf maps the Executor's gRPC codes to what the browser is told:
// its own mistakes as 4xx, the Executor's trouble as 502 or 504.
var httpStatusOf = map[codes.Code]int{
	codes.NotFound:         http.StatusNotFound,
	codes.InvalidArgument:  http.StatusBadRequest,
	codes.PermissionDenied: http.StatusForbidden,
	// The dashboard's own credentials were refused: the operator must fix
	// the flags it runs with, not the browser.
	codes.Unauthenticated:  http.StatusBadGateway,
	codes.DeadlineExceeded: http.StatusGatewayTimeout,
}

// writeCallError answers for a failed call to the Executor with its
// message, which the Executor already keeps free of internal detail.
func (s *Server) writeCallError(w http.ResponseWriter, call string, err error) {
	st := status.Convert(err)
	code, ok := httpStatusOf[st.Code()]
	if !ok {
		code = http.StatusBadGateway
	}
	s.opts.Logger.Warn("executor call failed", "call", call, "code", st.Code().String(), "error", st.Message())
	writeJSON(w, code, apiError{Error: call + ": " + st.Code().String() + ": " + st.Message()})
}
