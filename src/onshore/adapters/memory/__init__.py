"""In-memory adapters: the reference behaviour every backend's conformance suite checks."""
