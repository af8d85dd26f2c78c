package consolebot

import (
	"os"
	"path/filepath"

	"copbot/handlers"
)

// saveFile writes a reply's file (the report to the Council) into FileDir
// and prints its path, since a terminal cannot show an attachment.
func (c *Console) saveFile(r handlers.Reply) {
	if r.File == nil {
		return
	}
	dir := c.FileDir
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, filepath.Base(r.File.Name))
	if err := os.WriteFile(path, r.File.Data, 0o644); err != nil {
		c.write("could not write the file / impossible d’écrire le fichier " + path + ": " + err.Error() + "\n\n")
		return
	}
	c.write("file written / fichier écrit\u00a0: " + path + "\n\n")
}
