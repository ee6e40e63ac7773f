"""Command-line toolkit for the Aftersales add-ons for Odoo 19."""

__version__ = "0.1.0"
