"""Model files: the manifest, pinned registry sources and sha256 verification."""
