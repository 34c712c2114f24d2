"""Import and export of the registry: grids as GeoJSON, places as .xlsx or .csv.

Imports are all-or-nothing: the whole file is read and checked first; a file with any error is
refused whole, with every error found (row or feature number, field, code, message), and nothing
is written. A file without errors is written in one transaction and audited once with its counts.
"""
