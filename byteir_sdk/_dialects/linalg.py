"""No op classes for the linalg dialect: its ops are generic OpViews (see the package docstring)."""
