"""Item pipelines, one concern each: normalise, validate, store."""
