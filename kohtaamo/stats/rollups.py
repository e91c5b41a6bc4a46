"""Placeholder: the rollup refresh comes next."""


def refresh() -> None:
    return None
