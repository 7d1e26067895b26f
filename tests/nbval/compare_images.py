"""pytest plugin: make nbval compare PNG outputs too.

nbval skips ``image/png`` unless ``--nbdime`` is given, and ``--nbdime``
crashes under pytest 9. Figures are deterministic here (fixed fonts, hash
salt, no dates), so a figure that changes between runs must fail.
"""

IMAGE_TYPES = ("image/png",)


def pytest_collection_modifyitems(session, config, items):
    for item in items:
        notebook = getattr(item, "parent", None)
        skip = getattr(notebook, "skip_compare", None)
        if skip is not None:
            notebook.skip_compare = tuple(k for k in skip if k not in IMAGE_TYPES)
