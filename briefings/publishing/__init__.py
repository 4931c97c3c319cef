"""Publishing: snapshot, the one publish function, the review state machine, preview links."""
