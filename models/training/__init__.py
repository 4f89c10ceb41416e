"""Training and export pipeline for the Today Feeling emotion model (needs the [train] extra: TensorFlow)."""
