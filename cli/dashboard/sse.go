package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// reconnectDelay is what the page's EventSource waits before it
// reconnects after a broken stream; the browser's default is 3 s or more.
const reconnectDelay = 1000

// eventStream writes server-sent events, flushing each so it reaches the
// browser as it happens.
type eventStream struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

// startEventStream sends the headers of an SSE response.
func startEventStream(w http.ResponseWriter) (*eventStream, error) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	// Proxies such as nginx buffer responses unless told not to.
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	s := &eventStream{w: w, rc: http.NewResponseController(w)}
	if _, err := fmt.Fprintf(w, "retry: %d\n\n", reconnectDelay); err != nil {
		return nil, err
	}
	return s, s.rc.Flush()
}

// send writes one event named name with data as JSON. A non-zero id
// becomes the browser's Last-Event-ID; zero leaves it as it was, so a
// snapshot or the result never moves the point a reconnect resumes from.
func (s *eventStream) send(name string, id uint64, data any) error {
	b, err := json.Marshal(data)
	if err != nil {
		return err
	}
	msg := "event: " + name + "\n"
	if id > 0 {
		msg += "id: " + strconv.FormatUint(id, 10) + "\n"
	}
	msg += "data: " + string(b) + "\n\n"
	if _, err := s.w.Write([]byte(msg)); err != nil {
		return err
	}
	return s.rc.Flush()
}
