"""The only package that talks to QuickBooks Online."""
