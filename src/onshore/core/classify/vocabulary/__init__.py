"""Vietnamese vocabularies the recognizers use (names, places, ethnic groups, religions).

Each module holds one list with its source in the docstring; lookups go through ``fold``
so that text with and without diacritics matches alike.
"""
