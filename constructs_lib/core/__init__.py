"""The shared plumbing: synth-time checks, scanner findings, jsii typing helpers, reading templates, S3
notification filters. It imports nothing else of the library and creates no resource."""
