"""Build-time tools for the learned music-mood model (TensorFlow here, never on the device)."""
