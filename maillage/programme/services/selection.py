def apply_selection(*, decision, actor):
    """Filled by the selection use case."""
