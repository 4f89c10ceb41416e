"""Inference: TFLite runtime selection, face detection, alignment, emotion classification."""
