"""Front-ends: one module per file kind, each turning a file into PromptSites."""
