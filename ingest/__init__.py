"""Loading, chunking and syncing documents into the store, without any UI."""
