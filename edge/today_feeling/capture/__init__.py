"""Frame sources behind the FrameSource port (today_feeling.ports)."""
