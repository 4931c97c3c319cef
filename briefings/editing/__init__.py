"""The working copy: the one way edits are written, its lock and conflicts, its history and restore."""
