"""The pipeline's version, written into every alert and manifest."""

PIPELINE_VERSION = "0.1.0"
