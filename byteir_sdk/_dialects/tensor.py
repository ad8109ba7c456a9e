"""No op classes for the tensor dialect: its ops are generic OpViews (see the package docstring)."""
