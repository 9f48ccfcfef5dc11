"""The composed types of the schema being built.

``schema.build`` fills this module (``Unit``, ``Person``, ``Posting``, ``Initiative``,
``ErrorCode``) before strawberry converts the types, and fields refer to them lazily::

    Annotated["Unit", strawberry.lazy("schema.composed")]

so that they name the final type (core fields plus every plugin's), never a core base. This is the
only module-level state of the schema layer, and only the composer writes it.
"""
