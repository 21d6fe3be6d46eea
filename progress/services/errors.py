class LedgerError(Exception):
    """A change the workflow refuses; ``str(error)`` is the user-facing reason."""
