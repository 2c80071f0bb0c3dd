"""One module per context: each registers the scenario verbs of its rules."""
