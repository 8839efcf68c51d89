"""The function core: `ServerlessFunction` (every function default of the library), its options and their
checks, safe deployments, scaling, Powertools, layers, bundling and destinations. Every pattern builds on it."""
