"""District schemes shipped with yixian: one package per scheme, each a plugin.

Every package here is discovered at startup (``plugins.<name>.plugin`` or ``plugins.<name>``);
plugins installed elsewhere are found through the ``yixian.plugins`` entry point group.
"""
