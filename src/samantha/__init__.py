"""Samantha: an on-device voice companion. Nothing she hears, thinks or says leaves the box."""

__version__ = "0.1.0"
