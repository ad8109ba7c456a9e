"""Kernel IR -> reference ASIC programs, one concern per module."""
