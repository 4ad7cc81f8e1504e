"""Model files: the manifest and verification, offline provisioning, fetching, conversion."""
