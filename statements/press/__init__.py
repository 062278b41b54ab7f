"""The public press room: released statements only, as pages, an Atom feed and a public API."""
