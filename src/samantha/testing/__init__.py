"""Fakes shared by the tests and the bench: the simulated room, WAV devices, scripted engines."""
