"""Empty Python modules for the MLIR dialects jaxlib ships no op classes for (linalg, tensor).

The bindings look for ``<prefix>.<dialect>`` on every access to an op of a dialect whose module
they have not loaded, and do not remember a failed import: each ``linalg`` op visited cost three
failing imports. ``_mlir`` appends this package as the last search prefix, so the lookup
succeeds once and those ops stay generic ``OpView``s.
"""
