"""Household profiles: each person's enrolled expressions, kept on the device, applied live."""
