package dashboard

import (
	"embed"
	"io/fs"
)

// embedded holds the page as the browser gets it: no build step, so what
// is in assets/ is what runs.
//
//go:embed assets
var embedded embed.FS

// assetFS is the embedded files, rooted so that "assets/app.js" is served
// at /assets/app.js.
func assetFS() fs.FS { return embedded }
