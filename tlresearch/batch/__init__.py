"""Running many reports: plan, key, execute and publish, with failure isolation."""
