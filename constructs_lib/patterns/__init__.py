"""The patterns: one construct each, composed of ServerlessFunction and the resources its trigger needs.
Patterns do not import each other, except FanOut and ThumbnailPipeline, which compose QueueWorker."""
